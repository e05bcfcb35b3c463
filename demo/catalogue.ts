/**
 * The fixed reference data of the demo world: fulfillment nodes, the SKU catalogue, carriers and
 * their services, names, and the reason texts each system writes. Plain constants, no randomness.
 */
import type { Channel, Disposition, HoldType, NodeType, ShipmentStatus } from '../canonical/index.js';
import { weighted, type WeightedTable } from './rng.js';

/** A fulfillment node (DC, ship-from-store, drop-ship partner) with the city its parcels leave from. */
export interface DemoNode {
  readonly id: string;
  readonly type: NodeType;
  readonly name: string;
  readonly city: string;
}

export const NODES: readonly DemoNode[] = [
  { id: 'DC-EAST', type: 'DC', name: 'East Distribution Center', city: 'Columbus, OH, US' },
  { id: 'DC-WEST', type: 'DC', name: 'West Distribution Center', city: 'Reno, NV, US' },
  { id: 'DC-CENTRAL', type: 'DC', name: 'Central Distribution Center', city: 'Dallas, TX, US' },
  { id: 'STORE-0012', type: 'STORE', name: 'Store 0012 Brooklyn', city: 'Brooklyn, NY, US' },
  { id: 'STORE-0047', type: 'STORE', name: 'Store 0047 Chicago Loop', city: 'Chicago, IL, US' },
  { id: 'STORE-0103', type: 'STORE', name: 'Store 0103 Austin', city: 'Austin, TX, US' },
  { id: 'STORE-0218', type: 'STORE', name: 'Store 0218 Seattle', city: 'Seattle, WA, US' },
  { id: 'STORE-0305', type: 'STORE', name: 'Store 0305 Atlanta', city: 'Atlanta, GA, US' },
  {
    id: 'DS-ACME',
    type: 'DROP_SHIP',
    name: 'Acme Outdoor Furniture (drop-ship partner)',
    city: 'Grand Rapids, MI, US',
  },
  { id: 'DS-GLOBEX', type: 'DROP_SHIP', name: 'Globex Grills (drop-ship partner)', city: 'Louisville, KY, US' },
];

const nodeById = new Map(NODES.map((n) => [n.id, n]));
/** The node with this id; throws on an id not in {@link NODES} (a catalogue bug). */
export function node(id: string): DemoNode {
  const n = nodeById.get(id);
  if (!n) throw new Error(`unknown demo node ${id}; expected one of ${NODES.map((x) => x.id).join(', ')}`);
  return n;
}

export const DCS: WeightedTable<DemoNode> = weighted([
  [node('DC-EAST'), 5],
  [node('DC-WEST'), 3],
  [node('DC-CENTRAL'), 2],
]);
export const STORES: readonly DemoNode[] = NODES.filter((n) => n.type === 'STORE');

/**
 * A catalogue item: `unitPrice` is the USD price as a decimal string, `cents` the same in cents;
 * `dropShip` names the partner node that ships it (null: stocked at our DCs and stores).
 */
export interface Sku {
  readonly sku: string;
  readonly description: string;
  readonly unitPrice: string;
  readonly cents: number;
  readonly finalSale: boolean;
  readonly dropShip: string | null;
}

const sku = (
  code: string,
  description: string,
  cents: number,
  finalSale = false,
  dropShip: string | null = null,
): Sku => ({ sku: code, description, unitPrice: (cents / 100).toFixed(2), cents, finalSale, dropShip });

export const SKUS: readonly Sku[] = [
  sku('APP-TEE-S-BLK', 'Organic cotton tee, black, S', 2400),
  sku('APP-TEE-M-BLK', 'Organic cotton tee, black, M', 2400),
  sku('APP-TEE-L-WHT', 'Organic cotton tee, white, L', 2400),
  sku('APP-HOOD-M-GRY', 'Fleece hoodie, heather grey, M', 6800),
  sku('APP-HOOD-L-NVY', 'Fleece hoodie, navy, L', 6800),
  sku('APP-JEAN-32-IND', 'Slim jeans, indigo, 32x32', 8900),
  sku('APP-JEAN-34-BLK', 'Slim jeans, black, 34x32', 8900),
  sku('APP-JKT-M-OLV', 'Waxed field jacket, olive, M', 21900),
  sku('APP-SOCK-3PK', 'Merino socks, 3-pack', 2900),
  sku('APP-SWIM-M-RED', 'Swim shorts, red, M', 3900, true),
  sku('FTW-RUN-9', 'Trail running shoe, size 9', 13900),
  sku('FTW-RUN-10', 'Trail running shoe, size 10', 13900),
  sku('FTW-BOOT-11', 'Leather chelsea boot, size 11', 18900),
  sku('FTW-SLIP-M', 'Shearling slipper, M', 5900),
  sku('HOM-MUG-2PK', 'Stoneware mug, set of 2', 3200),
  sku('HOM-THROW-GRY', 'Wool throw blanket, grey', 11900),
  sku('HOM-CANDLE-FIG', 'Soy candle, fig', 2800, true),
  sku('HOM-TOWEL-SET', 'Bath towel set, 4 pieces', 7400),
  sku('HOM-SHEET-Q', 'Percale sheet set, queen', 14900),
  sku('HOM-LAMP-BRS', 'Brass desk lamp', 12900),
  sku('HOM-PLANT-POT', 'Ceramic planter, large', 4600),
  sku('HOM-KNIFE-8', "Chef's knife, 8 in", 9900),
  sku('ELE-EARBUD-BLK', 'Wireless earbuds, black', 12900, true),
  sku('ELE-SPKR-MINI', 'Portable speaker, mini', 7900),
  sku('ELE-CHRG-65W', 'USB-C charger, 65 W', 4900),
  sku('ELE-CABLE-2M', 'USB-C cable, 2 m', 1900),
  sku('ELE-WATCH-GPS', 'GPS sport watch', 29900),
  sku('ELE-KBD-MECH', 'Mechanical keyboard', 15900),
  sku('BTY-SERUM-30', 'Vitamin C serum, 30 ml', 3800, true),
  sku('BTY-LOTION-200', 'Body lotion, 200 ml', 2200, true),
  sku('OUT-BOTTLE-1L', 'Insulated bottle, 1 l', 3400),
  sku('OUT-TENT-2P', 'Backpacking tent, 2 person', 34900),
  sku('OUT-PACK-40L', 'Hiking pack, 40 l', 18900),
  sku('OUT-LANTERN', 'Rechargeable lantern', 5400),
  sku('GFT-CARD-50', 'Gift card, $50', 5000, true),
  sku('FUR-CHAIR-TEAK', 'Teak lounge chair', 64900, false, 'DS-ACME'),
  sku('FUR-TABLE-6P', 'Outdoor dining table, 6 seats', 129900, false, 'DS-ACME'),
  sku('FUR-UMBR-9FT', 'Patio umbrella, 9 ft', 24900, false, 'DS-ACME'),
  sku('GRL-KETTLE-22', 'Kettle grill, 22 in', 21900, false, 'DS-GLOBEX'),
  sku('GRL-PELLET-XL', 'Pellet smoker, XL', 89900, false, 'DS-GLOBEX'),
];

/** SKUs by use: anything stocked at our nodes, returnable ones, and drop-shipped ones. */
export const STOCKED_SKUS: readonly Sku[] = SKUS.filter((s) => s.dropShip == null);
export const RETURNABLE_SKUS: readonly Sku[] = STOCKED_SKUS.filter((s) => !s.finalSale);
export const DROP_SHIP_SKUS: readonly Sku[] = SKUS.filter((s) => s.dropShip != null);

/** Channel mix; each letter prefixes the order number. */
export const CHANNELS_WEIGHTED: WeightedTable<Channel> = weighted([
  ['WEB', 45],
  ['MOBILE_APP', 25],
  ['STORE', 12],
  ['CALL_CENTER', 6],
  ['MARKETPLACE', 12],
]);
export const CHANNEL_LETTER: Readonly<Record<Channel, string>> = {
  WEB: 'W',
  MOBILE_APP: 'M',
  STORE: 'S',
  CALL_CENTER: 'C',
  MARKETPLACE: 'K',
};

/** A carrier's services with transit days (the ETA the carrier quotes after pickup). */
export interface CarrierService {
  readonly name: string;
  readonly days: number;
}
export const CARRIER_SERVICES: Readonly<Record<string, readonly CarrierService[]>> = {
  UPS: [
    { name: 'UPS Ground', days: 4 },
    { name: 'UPS 2nd Day Air', days: 2 },
    { name: 'UPS Next Day Air', days: 1 },
  ],
  FEDEX: [
    { name: 'FedEx Ground', days: 4 },
    { name: 'FedEx Home Delivery', days: 5 },
    { name: 'FedEx 2Day', days: 2 },
  ],
  USPS: [
    { name: 'USPS Ground Advantage', days: 4 },
    { name: 'USPS Priority Mail', days: 2 },
  ],
  DHL: [
    { name: 'DHL eCommerce Expedited', days: 5 },
    { name: 'DHL Express Worldwide', days: 2 },
  ],
};
/** Which carriers each kind of node hands parcels to. */
export const CARRIERS_BY_NODE_TYPE: Readonly<Record<NodeType, WeightedTable<string>>> = {
  DC: weighted([
    ['UPS', 5],
    ['FEDEX', 4],
    ['USPS', 2],
    ['DHL', 1],
  ]),
  STORE: weighted([
    ['USPS', 5],
    ['UPS', 3],
    ['FEDEX', 1],
  ]),
  DROP_SHIP: weighted([
    ['FEDEX', 4],
    ['DHL', 3],
    ['UPS', 2],
  ]),
};

/** Hub cities parcels pass through, and destination cities. */
export const HUBS: readonly string[] = [
  'Louisville, KY, US',
  'Memphis, TN, US',
  'Indianapolis, IN, US',
  'Ontario, CA, US',
  'Hodgkins, IL, US',
  'Cincinnati, OH, US',
  'Allentown, PA, US',
  'Fort Worth, TX, US',
];
export const DESTINATIONS: readonly string[] = [
  'Portland, OR, US',
  'Denver, CO, US',
  'Boston, MA, US',
  'Phoenix, AZ, US',
  'Miami, FL, US',
  'Minneapolis, MN, US',
  'Charlotte, NC, US',
  'San Diego, CA, US',
  'Nashville, TN, US',
  'Philadelphia, PA, US',
  'Salt Lake City, UT, US',
];

/** What a carrier's event feed says for each normalized status. */
export const SCAN_DESCRIPTIONS: Readonly<Record<ShipmentStatus, string>> = {
  LABEL_CREATED: 'Shipping label created, carrier awaiting item',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery',
  AVAILABLE_FOR_PICKUP: 'Held at a carrier location for pickup',
  DELIVERY_ATTEMPTED: 'Delivery attempted, no one available',
  DELIVERED: 'Delivered',
  EXCEPTION: 'Delivery exception: weather delay',
  RETURNED_TO_SENDER: 'Returned to sender',
  CANCELLED: 'Label cancelled by shipper',
  UNKNOWN: 'Unknown event',
};

/** Hold types and the reasons the ERP writes. Active holds in the demo use the first three. */
export const ACTIVE_HOLD_TYPES: WeightedTable<HoldType> = weighted([
  ['PAYMENT_REVIEW', 5],
  ['CREDIT', 3],
  ['FRAUD', 2],
]);
export const RELEASED_HOLD_TYPES: WeightedTable<HoldType> = weighted([
  ['ADDRESS', 4],
  ['PAYMENT_REVIEW', 3],
  ['INVENTORY', 3],
  ['CREDIT', 2],
  ['FRAUD', 1],
]);
export const HOLD_REASONS: Readonly<Record<HoldType, readonly string[]>> = {
  PAYMENT_REVIEW: ['Authorization declined, awaiting new payment method', 'AVS mismatch on card'],
  CREDIT: ['Account over credit limit', 'Net-30 terms past due'],
  FRAUD: ['Fraud score above threshold', 'Billing and shipping country mismatch'],
  INVENTORY: ['Stock check pending at sourcing node'],
  ADDRESS: ['Address could not be validated', 'PO box not allowed for this carrier'],
};

export const PAYMENT_METHODS: WeightedTable<string> = weighted([
  ['VISA', 40],
  ['MASTERCARD', 25],
  ['AMEX', 12],
  ['PAYPAL', 15],
  ['GIFT_CARD', 3],
  ['NET30', 5],
]);

export const RETURN_REASONS: readonly string[] = [
  'Too small',
  'Too large',
  'Changed my mind',
  'Damaged in transit',
  'Not as described',
  'Arrived too late',
  'Defective',
];
export const DISPOSITIONS_WEIGHTED: WeightedTable<Disposition> = weighted([
  ['RESTOCK', 60],
  ['REFURBISH', 12],
  ['DAMAGED', 10],
  ['VENDOR_RETURN', 10],
  ['SCRAP', 8],
]);

export const FIRST_NAMES: readonly string[] = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Mateo',
  'Sofia',
  'Lucas',
  'Amara',
  'Kenji',
  'Priya',
  'Diego',
  'Chloe',
  'Hannah',
  'Omar',
  'Leila',
  'Jonas',
  'Mia',
  'Ethan',
  'Grace',
  'Ravi',
  'Zoe',
  'Marcus',
  'Elena',
  'Samuel',
  'Yuki',
  'Fatima',
  'Isaac',
  'Nora',
  'Tomas',
  'Aisha',
  'Felix',
];
export const LAST_NAMES: readonly string[] = [
  'Patel',
  'Nguyen',
  'Garcia',
  'Smith',
  'Johnson',
  'Kim',
  'Okafor',
  'Rossi',
  'Müller',
  'Silva',
  'Cohen',
  'Haddad',
  'Tanaka',
  'Brown',
  'Lopez',
  'Walker',
  'Andersson',
  'Khan',
  'Dubois',
  'Novak',
  'Reyes',
  'Osei',
  'Fischer',
  'Moreau',
  "O'Brien",
  'Santos',
  'Ivanova',
  'Chen',
  'Wright',
  'Hughes',
];
