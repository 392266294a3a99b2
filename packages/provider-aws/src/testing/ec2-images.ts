import { applyFilters } from './ec2-describe.js';
import { ec2Error } from './ec2-errors.js';
import type { ActionHandler } from './ec2-handler.js';

/** An AMI the fake knows. */
export interface FakeImage {
  imageId: string;
  /** @default '/dev/xvda' */
  rootDeviceName?: string;
  name?: string;
  /** @default 'x86_64' */
  architecture?: string;
}

const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * The fake's images: a fixed list when given, else every well-formed AMI id exists (with
 * root device `/dev/xvda`), so tests need not register images.
 */
export class ImageCatalog {
  readonly #images: Map<string, FakeImage> | undefined;

  constructor(images?: FakeImage[]) {
    this.#images = images ? new Map(images.map((image) => [image.imageId, image])) : undefined;
  }

  /** The image, or EC2's Malformed / NotFound error. */
  get(imageId: string): FakeImage {
    if (!IMAGE_ID.test(imageId)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}"`);
    if (!this.#images) return { imageId };
    const image = this.#images.get(imageId);
    if (!image) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    return image;
  }

  list(): FakeImage[] {
    return [...(this.#images?.values() ?? [])];
  }
}

/** DescribeImages over the catalog. */
export function imageHandlers(catalog: ImageCatalog): Record<string, ActionHandler> {
  return {
    DescribeImages({ params }) {
      const ids = params.strings('ImageId');
      const images = applyFilters(
        ids.length > 0 ? ids.map((id) => catalog.get(id)) : catalog.list(),
        params.filters(),
        (image, name) => {
          if (name === 'image-id') return [image.imageId];
          if (name === 'name') return [image.name ?? image.imageId];
          if (name === 'state') return ['available'];
          if (name === 'architecture') return [image.architecture ?? 'x86_64'];
          return undefined;
        },
      );
      return {
        imagesSet: images.map((image) => ({
          imageId: image.imageId,
          imageLocation: `amazon/${image.name ?? image.imageId}`,
          imageState: 'available',
          imageOwnerId: '137112412989',
          creationDate: '2024-01-01T00:00:00.000Z',
          isPublic: true,
          architecture: image.architecture ?? 'x86_64',
          imageType: 'machine',
          name: image.name ?? image.imageId,
          rootDeviceType: 'ebs',
          rootDeviceName: image.rootDeviceName ?? '/dev/xvda',
          blockDeviceMapping: [
            {
              deviceName: image.rootDeviceName ?? '/dev/xvda',
              ebs: { deleteOnTermination: true, volumeSize: 8, volumeType: 'gp3', encrypted: false },
            },
          ],
          virtualizationType: 'hvm',
          hypervisor: 'xen',
          enaSupport: true,
        })),
      };
    },
  };
}
