import type { ProductDetail } from '@storefront/contracts';
import { useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import { isMediaUrl } from '../lib/seo';

/**
 * Intrinsic size given to every product image. Catalogue images are square (the shop's
 * convention, see apps/web/README.md): with `width`/`height` set, the browser reserves the space
 * before the file arrives, so nothing below moves (no layout shift), and CSS scales it down.
 */
export const PRODUCT_IMAGE_SIZE = 800;

/**
 * The pictures of a product: the first large and loaded at once (it is the page's largest
 * element), the other views below it, loaded lazily as they near the viewport. Alt texts come
 * from the catalogue. Only images on this origin or https URLs are shown (`src` must not be a
 * `javascript:` or `data:` value from the catalogue). Works without JavaScript.
 */
export function ProductGallery({ images }: { images: ProductDetail['images'] }) {
  const t = useMessages(catalogueMessages);
  const shown = images.filter((image) => isMediaUrl(image.url));
  if (shown.length === 0) return null;
  return (
    <ul className="product-gallery" aria-label={t.gallery}>
      {shown.map((image, index) => (
        <li key={`${String(index)}:${image.url}`} className={index === 0 ? 'main' : 'view'}>
          <img
            src={image.url}
            alt={image.alt}
            width={PRODUCT_IMAGE_SIZE}
            height={PRODUCT_IMAGE_SIZE}
            decoding="async"
            loading={index === 0 ? 'eager' : 'lazy'}
            fetchPriority={index === 0 ? 'high' : 'auto'}
          />
        </li>
      ))}
    </ul>
  );
}
