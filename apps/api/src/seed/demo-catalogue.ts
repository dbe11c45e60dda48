/**
 * A deterministic demo catalogue: the same seed always gives the same categories, products,
 * variants, prices and stock, so screenshots, tests and benchmarks are reproducible.
 */

/** Small, fast, seedable PRNG (mulberry32). Demo data only — never for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Leaf {
  slug: string;
  name: string;
  nouns: string[];
  adjectives: string[];
  materials: string[];
  brands: string[];
  options: Record<string, string[]>;
  /** Price range in euros, VAT included. */
  price: [number, number];
  vatBp: number;
}

interface Department {
  slug: string;
  name: string;
  description: string;
  leaves: Leaf[];
}

const COLOURS = [
  'Black',
  'White',
  'Navy',
  'Grey',
  'Olive',
  'Burgundy',
  'Camel',
  'Sky Blue',
  'Ecru',
  'Forest Green',
];
const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const SHOE_SIZES = ['37', '38', '39', '40', '41', '42', '43', '44', '45'];
const STD = 2000;
const REDUCED = 550;

const FASHION_BRANDS = [
  'Maison Lune',
  'Atelier Nord',
  'Rivage',
  'Oak & Thread',
  'Blanc Studio',
  'Lumen',
  'Vallée',
];
const SPORT_BRANDS = ['Altitude', 'Kinetic', 'Trailhead', 'Northpeak', 'Velo Club'];
const HOME_BRANDS = ['Maison Cuivre', 'Lin & Co', 'Fjord Home', 'Terre', 'Atelier Verre'];

function apparel(slug: string, name: string, nouns: string[], price: [number, number]): Leaf {
  return {
    slug,
    name,
    nouns,
    adjectives: [
      'Relaxed',
      'Slim',
      'Classic',
      'Oversized',
      'Tailored',
      'Cropped',
      'Everyday',
      'Essential',
    ],
    materials: [
      'Organic Cotton',
      'Linen',
      'Merino Wool',
      'Recycled Polyester',
      'Cashmere Blend',
      'Denim',
      'Jersey',
    ],
    brands: FASHION_BRANDS,
    options: { colour: COLOURS, size: APPAREL_SIZES },
    price,
    vatBp: STD,
  };
}

/** The category tree: 8 departments and their leaf categories. */
export const DEPARTMENTS: Department[] = [
  {
    slug: 'women',
    name: 'Women',
    description: 'Clothing for women, from everyday basics to tailoring.',
    leaves: [
      apparel(
        'women-dresses',
        'Dresses',
        ['Midi Dress', 'Wrap Dress', 'Shirt Dress', 'Slip Dress', 'Maxi Dress'],
        [39, 189],
      ),
      apparel(
        'women-tops',
        'Tops & Blouses',
        ['Blouse', 'Tank Top', 'Shirt', 'Camisole', 'Tunic'],
        [19, 89],
      ),
      apparel(
        'women-knitwear',
        'Knitwear',
        ['Jumper', 'Cardigan', 'Turtleneck', 'Knit Vest'],
        [45, 179],
      ),
      apparel(
        'women-trousers',
        'Trousers',
        ['Wide-Leg Trousers', 'Chinos', 'Jeans', 'Culottes'],
        [39, 129],
      ),
      apparel(
        'women-coats',
        'Coats & Jackets',
        ['Trench Coat', 'Wool Coat', 'Puffer Jacket', 'Blazer'],
        [89, 349],
      ),
    ],
  },
  {
    slug: 'men',
    name: 'Men',
    description: 'Clothing for men: shirts, knitwear, trousers and outerwear.',
    leaves: [
      apparel(
        'men-shirts',
        'Shirts',
        ['Oxford Shirt', 'Linen Shirt', 'Overshirt', 'Flannel Shirt'],
        [35, 119],
      ),
      apparel(
        'men-t-shirts',
        'T-Shirts & Polos',
        ['T-Shirt', 'Polo Shirt', 'Henley', 'Long-Sleeve Tee'],
        [15, 59],
      ),
      apparel(
        'men-knitwear',
        'Knitwear',
        ['Crew Neck Jumper', 'Cardigan', 'Quarter-Zip', 'Roll Neck'],
        [49, 189],
      ),
      apparel(
        'men-trousers',
        'Trousers',
        ['Chinos', 'Straight Jeans', 'Cargo Trousers', 'Pleated Trousers'],
        [45, 139],
      ),
      apparel(
        'men-jackets',
        'Jackets & Coats',
        ['Field Jacket', 'Peacoat', 'Bomber Jacket', 'Parka'],
        [99, 399],
      ),
    ],
  },
  {
    slug: 'shoes',
    name: 'Shoes',
    description: 'Trainers, boots and sandals.',
    leaves: [
      {
        ...apparel(
          'shoes-trainers',
          'Trainers',
          ['Trainers', 'Court Sneakers', 'Runners', 'High-Tops'],
          [59, 179],
        ),
        materials: ['Leather', 'Suede', 'Canvas', 'Recycled Knit'],
        options: { colour: ['White', 'Black', 'Grey', 'Navy'], size: SHOE_SIZES },
      },
      {
        ...apparel(
          'shoes-boots',
          'Boots',
          ['Chelsea Boots', 'Hiking Boots', 'Ankle Boots', 'Work Boots'],
          [89, 259],
        ),
        materials: ['Leather', 'Suede', 'Waxed Leather'],
        options: { colour: ['Black', 'Brown', 'Tan'], size: SHOE_SIZES },
      },
      {
        ...apparel('shoes-sandals', 'Sandals', ['Sandals', 'Slides', 'Espadrilles'], [29, 119]),
        materials: ['Leather', 'Cork', 'Jute'],
        options: { colour: ['Tan', 'Black', 'Natural'], size: SHOE_SIZES },
      },
    ],
  },
  {
    slug: 'home',
    name: 'Home & Kitchen',
    description: 'Cookware, tableware, bedding and lighting for the home.',
    leaves: [
      {
        slug: 'home-cookware',
        name: 'Cookware',
        nouns: ['Frying Pan', 'Saucepan', 'Casserole Dish', 'Wok', 'Stock Pot'],
        adjectives: ['Professional', 'Non-Stick', 'Induction-Ready', 'Heritage'],
        materials: ['Cast Iron', 'Stainless Steel', 'Copper', 'Carbon Steel'],
        brands: HOME_BRANDS,
        options: { size: ['20 cm', '24 cm', '28 cm'] },
        price: [29, 249],
        vatBp: STD,
      },
      {
        slug: 'home-tableware',
        name: 'Tableware',
        nouns: ['Dinner Plate Set', 'Bowl Set', 'Mug Set', 'Serving Platter', 'Glass Set'],
        adjectives: ['Handmade', 'Speckled', 'Minimal', 'Rustic'],
        materials: ['Stoneware', 'Porcelain', 'Recycled Glass'],
        brands: HOME_BRANDS,
        options: { colour: ['White', 'Sand', 'Slate', 'Sage'] },
        price: [19, 129],
        vatBp: STD,
      },
      {
        slug: 'home-bedding',
        name: 'Bedding',
        nouns: ['Duvet Cover', 'Sheet Set', 'Pillowcase Pair', 'Throw'],
        adjectives: ['Washed', 'Percale', 'Sateen', 'Waffle'],
        materials: ['Linen', 'Organic Cotton', 'Wool'],
        brands: HOME_BRANDS,
        options: {
          colour: ['White', 'Oatmeal', 'Terracotta', 'Charcoal'],
          size: ['Single', 'Double', 'King'],
        },
        price: [35, 229],
        vatBp: STD,
      },
      {
        slug: 'home-lighting',
        name: 'Lighting',
        nouns: ['Table Lamp', 'Floor Lamp', 'Pendant Light', 'Wall Light'],
        adjectives: ['Arc', 'Dome', 'Globe', 'Adjustable'],
        materials: ['Brass', 'Opal Glass', 'Rattan', 'Powder-Coated Steel'],
        brands: HOME_BRANDS,
        options: { colour: ['Black', 'White', 'Brass'] },
        price: [45, 389],
        vatBp: STD,
      },
    ],
  },
  {
    slug: 'sport',
    name: 'Sport & Outdoors',
    description: 'Gear for running, cycling, camping and yoga.',
    leaves: [
      {
        ...apparel(
          'sport-running',
          'Running',
          ['Running Jacket', 'Running Tights', 'Running Shorts', 'Base Layer'],
          [25, 149],
        ),
        brands: SPORT_BRANDS,
        materials: ['Recycled Polyester', 'Merino Wool', 'Ripstop Nylon'],
      },
      {
        slug: 'sport-cycling',
        name: 'Cycling',
        nouns: ['Cycling Helmet', 'Bike Light Set', 'Saddle Bag', 'Cycling Gloves', 'Bottle Cage'],
        adjectives: ['Aero', 'Commuter', 'Lightweight', 'Reflective'],
        materials: ['Carbon', 'Aluminium', 'Nylon'],
        brands: SPORT_BRANDS,
        options: { colour: ['Black', 'Hi-Vis Yellow', 'White'] },
        price: [15, 199],
        vatBp: STD,
      },
      {
        slug: 'sport-camping',
        name: 'Camping',
        nouns: ['Tent', 'Sleeping Bag', 'Camping Stove', 'Head Torch', 'Backpack'],
        adjectives: ['Ultralight', 'Four-Season', 'Compact', 'Expedition'],
        materials: ['Ripstop Nylon', 'Down', 'Titanium'],
        brands: SPORT_BRANDS,
        options: { colour: ['Orange', 'Green', 'Grey'] },
        price: [19, 499],
        vatBp: STD,
      },
      {
        slug: 'sport-yoga',
        name: 'Yoga',
        nouns: ['Yoga Mat', 'Yoga Block', 'Yoga Strap', 'Meditation Cushion'],
        adjectives: ['Non-Slip', 'Travel', 'Thick', 'Eco'],
        materials: ['Natural Rubber', 'Cork', 'Organic Cotton'],
        brands: SPORT_BRANDS,
        options: { colour: ['Sage', 'Plum', 'Black', 'Sand'] },
        price: [12, 99],
        vatBp: STD,
      },
    ],
  },
  {
    slug: 'books',
    name: 'Books',
    description: 'Novels, cookbooks and travel guides (reduced VAT).',
    leaves: [
      {
        slug: 'books-fiction',
        name: 'Fiction',
        nouns: ['Novel', 'Short Stories', 'Thriller', 'Saga'],
        adjectives: ['The Silent', 'The Last', 'A Winter', 'The Hidden', 'Summer'],
        materials: ['Paperback', 'Hardback'],
        brands: ['Éditions Lumière', 'Harbour Press', 'Quill House'],
        options: { format: ['Paperback', 'Hardback'] },
        price: [8, 29],
        vatBp: REDUCED,
      },
      {
        slug: 'books-cookbooks',
        name: 'Cookbooks',
        nouns: ['Cookbook', 'Baking Book', 'Kitchen Handbook'],
        adjectives: ['Everyday', 'Provençal', 'Vegetarian', 'Seasonal'],
        materials: ['Hardback'],
        brands: ['Harbour Press', 'Quill House'],
        options: { format: ['Hardback'] },
        price: [15, 45],
        vatBp: REDUCED,
      },
      {
        slug: 'books-travel',
        name: 'Travel',
        nouns: ['Travel Guide', 'Walking Guide', 'Road Atlas'],
        adjectives: ['Brittany', 'Alps', 'Provence', 'Lisbon', 'Nordic'],
        materials: ['Paperback'],
        brands: ['Compass Guides', 'Harbour Press'],
        options: { format: ['Paperback'] },
        price: [10, 35],
        vatBp: REDUCED,
      },
    ],
  },
  {
    slug: 'beauty',
    name: 'Beauty',
    description: 'Skincare and fragrance.',
    leaves: [
      {
        slug: 'beauty-skincare',
        name: 'Skincare',
        nouns: ['Face Cream', 'Serum', 'Cleanser', 'Face Oil', 'Lip Balm'],
        adjectives: ['Hydrating', 'Gentle', 'Brightening', 'Repairing'],
        materials: ['Rosehip', 'Aloe', 'Shea', 'Hyaluronic'],
        brands: ['Clairière', 'Pure Alps', 'Sève'],
        options: { size: ['30 ml', '50 ml', '100 ml'] },
        price: [9, 89],
        vatBp: STD,
      },
      {
        slug: 'beauty-fragrance',
        name: 'Fragrance',
        nouns: ['Eau de Parfum', 'Eau de Toilette', 'Scented Candle'],
        adjectives: ['Cedar', 'Fig', 'Neroli', 'Amber', 'Vetiver'],
        materials: ['Glass Bottle'],
        brands: ['Clairière', 'Maison Cuivre'],
        options: { size: ['50 ml', '100 ml'] },
        price: [29, 159],
        vatBp: STD,
      },
    ],
  },
  {
    slug: 'tech',
    name: 'Tech',
    description: 'Headphones, speakers and phone accessories.',
    leaves: [
      {
        slug: 'tech-audio',
        name: 'Audio',
        nouns: ['Wireless Headphones', 'Earbuds', 'Bluetooth Speaker', 'Turntable'],
        adjectives: ['Noise-Cancelling', 'Studio', 'Portable', 'Waterproof'],
        materials: ['Aluminium', 'Recycled Plastic', 'Walnut'],
        brands: ['Sonique', 'Audiophile', 'Waveform'],
        options: { colour: ['Black', 'Silver', 'Sand'] },
        price: [29, 399],
        vatBp: STD,
      },
      {
        slug: 'tech-phone',
        name: 'Phone Accessories',
        nouns: ['Phone Case', 'Charging Cable', 'Wireless Charger', 'Power Bank'],
        adjectives: ['Slim', 'Rugged', 'Fast-Charge', 'MagSafe-Compatible'],
        materials: ['Silicone', 'Leather', 'Braided Nylon'],
        brands: ['Waveform', 'Voltaire'],
        options: { colour: ['Black', 'Clay', 'Blue', 'Clear'] },
        price: [9, 79],
        vatBp: STD,
      },
    ],
  },
];

/** A generated category. */
export interface DemoCategory {
  slug: string;
  name: string;
  description: string;
  parentSlug: string | null;
  path: string;
  position: number;
}

/**
 * Where the demo catalogue's product pictures live: placeholder SVGs per leaf category (two views
 * each), shipped in the web app's public files (`apps/web/public/media/demo`).
 */
export const DEMO_MEDIA_PATH = '/media/demo';

/** A generated variant. */
export interface DemoVariant {
  sku: string;
  options: Record<string, string>;
  priceAmount: number;
  vatRateBp: number;
  stock: number;
}

/** A generated product with its variants and images. */
export interface DemoProduct {
  slug: string;
  name: string;
  brand: string;
  description: string;
  categorySlug: string;
  attributes: Record<string, string>;
  publishedAt: Date;
  variants: DemoVariant[];
  images: { url: string; alt: string }[];
}

/** The whole demo catalogue. */
export interface DemoCatalogue {
  categories: DemoCategory[];
  products: DemoProduct[];
}

function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Rounds a euro price to a believable shop price in cents (x.99 or x.50 or x.00). */
function shopPrice(euros: number, pick: number): number {
  const whole = Math.max(1, Math.floor(euros));
  const cents = pick < 0.6 ? 99 : pick < 0.85 ? 0 : 50;
  return whole * 100 + cents;
}

const SENTENCES = [
  (n: string, m: string) =>
    `A ${n.toLowerCase()} in ${m.toLowerCase()}, designed to be worn and used for years.`,
  (n: string) =>
    `Made in small batches by partner workshops in Europe, with full traceability of the ${n.toLowerCase()}'s supply chain.`,
  () => 'Easy to care for and built to last; repairs are offered for two years.',
  (_n: string, m: string) => `The ${m.toLowerCase()} is sourced from certified suppliers.`,
  () => 'Ships in plastic-free packaging; free returns within 30 days.',
];

/**
 * Generates the catalogue. `productCount` products are spread evenly over the leaf categories
 * (at least 2,000 by default, over 31 leaf and 8 top-level categories).
 */
export function generateDemoCatalogue(productCount = 2_170, seed = 20_261_121): DemoCatalogue {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const categories: DemoCategory[] = [];
  const leaves: { leaf: Leaf; department: Department }[] = [];
  DEPARTMENTS.forEach((department, d) => {
    categories.push({
      slug: department.slug,
      name: department.name,
      description: department.description,
      parentSlug: null,
      path: `/${department.slug}/`,
      position: d,
    });
    department.leaves.forEach((leaf, l) => {
      categories.push({
        slug: leaf.slug,
        name: leaf.name,
        description: `${leaf.name} in ${department.name}.`,
        parentSlug: department.slug,
        path: `/${department.slug}/${leaf.slug}/`,
        position: l,
      });
      leaves.push({ leaf, department });
    });
  });

  const products: DemoProduct[] = [];
  const usedSlugs = new Set<string>();
  const epoch = Date.UTC(2026, 0, 1);
  for (let i = 0; i < productCount; i++) {
    const { leaf } = leaves[i % leaves.length] as { leaf: Leaf };
    const brand = pick(leaf.brands);
    const noun = pick(leaf.nouns);
    const adjective = pick(leaf.adjectives);
    const material = pick(leaf.materials);
    const name = leaf.slug.startsWith('books')
      ? `${adjective} ${noun}`
      : `${adjective} ${material} ${noun}`;
    let slug = slugify(`${brand} ${name}`);
    for (let n = 2; usedSlugs.has(slug); n++) slug = slugify(`${brand} ${name} ${n}`);
    usedSlugs.add(slug);

    const base = leaf.price[0] + random() * (leaf.price[1] - leaf.price[0]);
    const basePrice = shopPrice(base, random());
    const optionNames = Object.keys(leaf.options);
    // Each product offers a subset of the option values of its category.
    const chosen: Record<string, string[]> = {};
    for (const option of optionNames) {
      const values = leaf.options[option] ?? [];
      const count =
        option === 'size' ? values.length : Math.min(values.length, 1 + Math.floor(random() * 3));
      const start = Math.floor(random() * values.length);
      chosen[option] = Array.from(
        { length: count },
        (_, k) => values[(start + k) % values.length] as string,
      );
    }
    const combos = optionNames.reduce<Record<string, string>[]>(
      (acc, option) =>
        acc.flatMap((combo) =>
          (chosen[option] ?? []).map((value) => ({ ...combo, [option]: value })),
        ),
      [{}],
    );
    const variants = combos.map((options, v) => {
      const premium =
        options.size && ['XL', 'King', '100 ml', '28 cm', 'Hardback'].includes(options.size)
          ? 500
          : 0;
      const roll = random();
      return {
        sku: `${leaf.slug.replace(/-/g, '').slice(0, 10).toUpperCase()}-${String(i + 1).padStart(5, '0')}-${String(v + 1).padStart(2, '0')}`,
        options,
        priceAmount: basePrice + premium,
        vatRateBp: leaf.vatBp,
        stock:
          roll < 0.08
            ? 0
            : roll < 0.2
              ? 1 + Math.floor(random() * 5)
              : 6 + Math.floor(random() * 120),
      };
    });
    const sentences = [0, 1, 2, 3, 4]
      .filter(() => random() < 0.7)
      .map((k) => (SENTENCES[k] as (n: string, m: string) => string)(noun, material));
    products.push({
      slug,
      name,
      brand,
      description:
        `${(SENTENCES[0] as (n: string, m: string) => string)(noun, material)} ${sentences.slice(1).join(' ')}`.trim(),
      categorySlug: leaf.slug,
      attributes: { material, brand },
      publishedAt: new Date(epoch + Math.floor(random() * 300 * 86_400) * 1000),
      variants,
      // Placeholder pictures of the leaf category, committed with the web app
      // (apps/web/public/media/demo); a real shop uploads its own under /media/ (see
      // apps/web/README.md, "Product images").
      images: [1, 2].map((n) => ({
        url: `${DEMO_MEDIA_PATH}/${leaf.slug}-${n}.svg`,
        alt: `${name} by ${brand}, view ${n}`,
      })),
    });
  }
  return { categories, products };
}

/** Facets of a product for listing filters: option values across variants, plus the brand. */
export function facetsOf(
  product: Pick<DemoProduct, 'brand' | 'variants' | 'attributes'>,
): Record<string, string[]> {
  const facets: Record<string, string[]> = { brand: [product.brand] };
  if (product.attributes.material) facets.material = [product.attributes.material];
  for (const variant of product.variants) {
    for (const [name, value] of Object.entries(variant.options)) {
      const values = (facets[name] ??= []);
      if (!values.includes(value)) values.push(value);
    }
  }
  return facets;
}
