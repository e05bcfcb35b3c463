import { createElement } from 'lwc';
import OrderVisibility from 'c/orderVisibility';
import { getRecord } from 'lightning/uiRecordApi';
import { subscribe, unsubscribe } from 'lightning/empApi';
import getOrder from '@salesforce/apex/OrderVisibilityController.getOrder';

jest.mock('@salesforce/apex/OrderVisibilityController.getOrder', () => ({ default: jest.fn() }), { virtual: true });

const ORDER = require('./data/order.json');

/** Lets promises (Apex, empApi) settle and the template re-render. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount(props) {
  const element = createElement('c-order-visibility', { is: OrderVisibility });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const text = (element, selector) =>
  Array.from(element.shadowRoot.querySelectorAll(selector)).map((n) => n.textContent.replace(/\s+/g, ' ').trim());

/** The callback the component gave empApi.subscribe. */
const platformEventCallback = () => subscribe.mock.calls[subscribe.mock.calls.length - 1][2];

describe('c-order-visibility', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('should show the status with its reason, dimensions, active holds, shipments with tracking, returns and a timeline', async () => {
    getOrder.mockResolvedValue(ORDER);
    const element = mount({ orderId: 'ORD-000042' });
    await flush();

    expect(getOrder).toHaveBeenCalledWith({ orderId: 'ORD-000042' });
    expect(text(element, '.status-label')).toEqual(['Partially shipped']);
    expect(text(element, '.status-reason')).toEqual(['1 of 3 units shipped (rule 9)']);
    expect(text(element, '.dimension')).toEqual(['Payment: Paid']);
    expect(text(element, '.hold')).toEqual(['Address: apartment number missing']);
    const tracking = element.shadowRoot.querySelector('a.tracking');
    expect(tracking.href).toBe('https://www.ups.com/track?tracknum=1Z999AA10123456784');
    expect(tracking.textContent).toBe('1Z999AA10123456784');
    expect(text(element, '.shipment')[0]).toContain('In transit · UPS · Ground');
    expect(text(element, '.shipment')[0]).toContain('Departed facility');
    expect(text(element, '.return')).toEqual(['RMA-5001 · Approved · 1 item(s)']);
    // Newest first.
    expect(text(element, '.timeline-entry').map((t) => t.replace(/^·\s*/, ''))).toEqual([
      'Wms · 1 unit shipped from DC-EAST',
      'Erp · order accepted',
      'Oms · 3 units ordered',
    ]);
    expect(element.shadowRoot.querySelector('.exceptions')).toBeNull();
    expect(element.shadowRoot.querySelector('.partial')).toBeNull();
  });

  it('should show the fulfillment, financial and return dimensions, the graph timeline and open exceptions when the graph serves them', async () => {
    getOrder.mockResolvedValue({
      ...ORDER,
      fulfillmentState: 'PARTIALLY_SHIPPED',
      financialState: 'PAID',
      returnState: 'RETURN_REQUESTED',
      timeline: [
        {
          version: 1,
          status: 'ALLOCATED',
          previousStatus: null,
          causeSource: 'OMS',
          causeType: 'inventory.allocated',
          changedAt: '2026-11-20T09:20:00.000Z',
        },
        {
          version: 2,
          status: 'PARTIALLY_SHIPPED',
          previousStatus: 'ALLOCATED',
          causeSource: 'WMS',
          causeType: 'shipment.shipped',
          changedAt: '2026-11-21T14:02:00.000Z',
        },
      ],
      exceptions: [
        {
          id: 'EX-1',
          type: 'DELIVERY_OVERDUE',
          since: '2026-11-21T00:00:00.000Z',
          actor: 'CARRIER_DESK',
          open: true,
          closedAt: null,
        },
        {
          id: 'EX-2',
          type: 'DELAYED_UPDATE',
          since: '2026-11-20T00:00:00.000Z',
          actor: 'INTEGRATION_OPS',
          open: false,
          closedAt: '2026-11-22T00:00:00.000Z',
        },
      ],
    });
    const element = mount({ orderId: 'ORD-000042' });
    await flush();
    expect(text(element, '.dimension')).toEqual([
      'Fulfillment: Partially shipped',
      'Payment: Paid',
      'Returns: Return requested',
    ]);
    expect(text(element, '.timeline-entry').map((t) => t.replace(/^·\s*/, ''))).toEqual([
      'Wms · Allocated → Partially shipped (shipment.shipped)',
      'Oms · New → Allocated (inventory.allocated)',
    ]);
    expect(text(element, '.exception')).toEqual(['Delivery overdue since · Carrier desk']);
  });

  it('should reload when the Order_Status_Change__e platform event names this order, and ignore other orders', async () => {
    getOrder.mockResolvedValueOnce(ORDER).mockResolvedValueOnce({
      ...ORDER,
      status: 'SHIPPED',
      statusDetail: { ...ORDER.statusDetail, rule: 8, reason: '3 of 3 units shipped' },
    });
    const element = mount({ orderId: 'ORD-000042' });
    await flush();
    expect(subscribe).toHaveBeenCalledWith('/event/Order_Status_Change__e', -1, expect.any(Function));

    platformEventCallback()({
      data: { payload: { Order_Visibility_Id__c: 'ORD-999999', Status__c: 'DELIVERED', Version__c: 9 } },
    });
    await flush();
    expect(getOrder).toHaveBeenCalledTimes(1);
    expect(element.shadowRoot.querySelector('.live')).toBeNull();

    platformEventCallback()({
      data: { payload: { Order_Visibility_Id__c: 'ORD-000042', Status__c: 'SHIPPED', Version__c: 4 } },
    });
    await flush();
    expect(getOrder).toHaveBeenCalledTimes(2);
    expect(text(element, '.status-label')).toEqual(['Shipped']);
    expect(text(element, '.status-reason')).toEqual(['3 of 3 units shipped (rule 8)']);
    expect(element.shadowRoot.querySelector('.live')).not.toBeNull();
  });

  it('should read the order id from the Order record on a record page', async () => {
    getOrder.mockResolvedValue(ORDER);
    const element = mount({ recordId: '8015e000000AbCdAAK' });
    getRecord.emit({
      apiName: 'Order',
      fields: { Order_Visibility_Id__c: { value: 'ORD-000042', displayValue: null } },
    });
    await flush();
    expect(getOrder).toHaveBeenCalledWith({ orderId: 'ORD-000042' });
    expect(text(element, '.status-label')).toEqual(['Partially shipped']);
  });

  it("should show the controller's error message when the graph cannot be read", async () => {
    getOrder.mockRejectedValue({
      body: { message: 'the order-visibility graph answered HTTP 401: expected a bearer token' },
    });
    const element = mount({ orderId: 'ORD-000042' });
    await flush();
    expect(text(element, '.error')).toEqual(['the order-visibility graph answered HTTP 401: expected a bearer token']);
    expect(element.shadowRoot.querySelector('.status')).toBeNull();
  });

  it('should say the status is unavailable, and mark the answer partial, when a slice did not answer', async () => {
    getOrder.mockResolvedValue({
      ...ORDER,
      status: null,
      statusDetail: null,
      _errors: [{ message: 'wms unavailable', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }],
    });
    const element = mount({ orderId: 'ORD-000042' });
    await flush();
    expect(text(element, '.status-label')).toEqual(['Unavailable']);
    expect(text(element, '.status-reason')[0]).toMatch(/not answering/);
    expect(element.shadowRoot.querySelector('.partial')).not.toBeNull();
  });

  it('should unsubscribe from the platform event when removed', async () => {
    getOrder.mockResolvedValue(ORDER);
    const element = mount({ orderId: 'ORD-000042' });
    await flush();
    const subscription = await subscribe.mock.results[0].value;
    document.body.removeChild(element);
    expect(unsubscribe).toHaveBeenCalledWith(subscription, expect.any(Function));
  });
});
