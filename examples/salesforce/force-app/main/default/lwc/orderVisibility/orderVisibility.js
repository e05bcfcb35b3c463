import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import { subscribe, unsubscribe, onError } from 'lightning/empApi';
import getOrder from '@salesforce/apex/OrderVisibilityController.getOrder';
import VISIBILITY_ID_FIELD from '@salesforce/schema/Order.Order_Visibility_Id__c';

/** The platform event the connector publishes on every status change (connectors/salesforce). */
export const CHANNEL = '/event/Order_Status_Change__e';

/**
 * Shows agents the live order from the order-visibility graph: the status with its reason, the
 * fulfillment / financial / return dimensions, a timeline, shipments with tracking, returns, holds and
 * exceptions. On an Order record page it reads the record's Order_Visibility_Id__c; elsewhere set
 * `orderId`. It reloads through the Apex controller when the Order_Status_Change__e platform event
 * names this order (lightning/empApi), so the agent never reloads the page.
 */
export default class OrderVisibility extends LightningElement {
  /** The Order record id (set by a record page). */
  @api recordId;
  /** The order-visibility order id (`ORD-…`), for app and home pages. Wins over the record's. */
  @api orderId;

  order;
  error;
  loading = false;
  /** The version of the last change the platform event announced, shown as "updated live". */
  liveVersion;
  recordOrderId;
  subscription;

  @wire(getRecord, { recordId: '$recordId', fields: [VISIBILITY_ID_FIELD] })
  wiredRecord({ data, error }) {
    if (data) {
      this.recordOrderId = getFieldValue(data, VISIBILITY_ID_FIELD);
      this.load();
    } else if (error) {
      this.error = 'This Order has no order-visibility id (Order_Visibility_Id__c) readable by you.';
    }
  }

  connectedCallback() {
    if (this.orderId) this.load();
    onError((e) => {
      // A dropped streaming connection: the next event after the reconnect reloads anyway.
      // eslint-disable-next-line no-console
      console.warn('orderVisibility: streaming error', JSON.stringify(e));
    });
    subscribe(CHANNEL, -1, (message) => this.handleChange(message)).then((s) => {
      this.subscription = s;
    });
  }

  disconnectedCallback() {
    if (this.subscription) unsubscribe(this.subscription, () => {});
    this.subscription = undefined;
  }

  get effectiveOrderId() {
    return this.orderId || this.recordOrderId;
  }

  handleChange(message) {
    const payload = message && message.data && message.data.payload;
    if (!payload || payload.Order_Visibility_Id__c !== this.effectiveOrderId) return;
    this.liveVersion = payload.Version__c;
    this.load();
  }

  handleRefresh() {
    this.load();
  }

  async load() {
    const id = this.effectiveOrderId;
    if (!id) return;
    this.loading = true;
    try {
      const order = await getOrder({ orderId: id });
      this.order = order;
      this.error = order ? undefined : `No order ${id} in the order-visibility graph.`;
    } catch (e) {
      this.error =
        (e && e.body && e.body.message) || (e && e.message) || 'The order-visibility graph could not be read.';
    } finally {
      this.loading = false;
    }
  }

  get hasOrder() {
    return Boolean(this.order);
  }

  get statusLabel() {
    return label(this.order && this.order.status) || 'Unavailable';
  }

  get statusReason() {
    const d = this.order && this.order.statusDetail;
    return d
      ? `${d.reason} (rule ${d.rule})`
      : 'A system this status depends on is not answering; the other sections are current.';
  }

  /** Fulfillment, financial and return states, when the graph serves them. */
  get dimensions() {
    const o = this.order || {};
    return [
      { key: 'fulfillment', name: 'Fulfillment', value: label(o.fulfillmentState) },
      { key: 'financial', name: 'Payment', value: label(o.financialState || o.paymentStatus) },
      { key: 'return', name: 'Returns', value: label(o.returnState) },
    ].filter((d) => d.value);
  }

  /**
   * The order's timeline, newest first: the graph's status changes (`timeline`: version, status,
   * previousStatus, causeSource, causeType, changedAt) when it serves them, else the facts behind
   * the current status.
   */
  get timeline() {
    const o = this.order || {};
    const entries = Array.isArray(o.timeline)
      ? o.timeline.map((t) => ({
          at: t.changedAt || t.occurredAt,
          source: t.causeSource,
          text: `${label(t.previousStatus) || 'New'} → ${label(t.status)}${t.causeType ? ` (${t.causeType})` : ''}`,
        }))
      : ((o.statusDetail && o.statusDetail.facts) || []).map((f) => ({
          at: f.observedAt,
          source: f.source,
          text: f.fact,
        }));
    return entries
      .filter((e) => e.at)
      .sort((a, b) => (a.at < b.at ? 1 : -1))
      .map((e, i) => ({ ...e, key: `${i}-${e.at}`, source: label(e.source) }));
  }

  get hasTimeline() {
    return this.timeline.length > 0;
  }

  get shipments() {
    return ((this.order && this.order.shipments) || []).map((s) => ({
      ...s,
      statusLabel: label(s.status),
      carrierLine: [s.carrier, s.service].filter(Boolean).join(' · '),
      lastEvent: s.events && s.events.length ? s.events[s.events.length - 1].description : undefined,
    }));
  }

  get hasShipments() {
    return this.shipments.length > 0;
  }

  get returns() {
    return ((this.order && this.order.returns) || []).map((r) => ({
      ...r,
      statusLabel: label(r.status),
      quantity: (r.lines || []).reduce((n, l) => n + l.quantity, 0),
      refundLine: r.refund && r.refund.amount ? `${r.refund.amount.amount} ${r.refund.amount.currency}` : undefined,
    }));
  }

  get hasReturns() {
    return this.returns.length > 0;
  }

  get activeHolds() {
    return ((this.order && this.order.holds) || [])
      .filter((h) => !h.releasedAt)
      .map((h) => ({ ...h, typeLabel: label(h.type) }));
  }

  get hasHolds() {
    return this.activeHolds.length > 0;
  }

  /** Open business exceptions (the graph's `exceptions`: id, type, since, actor, open, closedAt), when it serves them. */
  get exceptions() {
    return ((this.order && this.order.exceptions) || [])
      .filter((x) => x.open !== false && !x.closedAt)
      .map((x) => ({ ...x, typeLabel: label(x.type), actorLabel: label(x.actor) }));
  }

  get hasExceptions() {
    return this.exceptions.length > 0;
  }

  /** Slices that did not answer (GraphQL errors beside data). */
  get partial() {
    return Boolean(this.order && this.order._errors && this.order._errors.length);
  }

  get isLive() {
    return this.liveVersion !== undefined;
  }
}

/** `IN_FULFILLMENT` → `In fulfillment`. */
function label(value) {
  if (!value) return undefined;
  const s = String(value).toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
