import type { MetadataDelta } from "../delta";
import type { MetadataImage } from "../image";
import type { LoadManifest, MetadataPublisher } from "../loader";

/**
 * Gives the node its effective configuration: its static config with the
 * dynamic configs the metadata holds for its node id layered on, at start-up
 * and whenever a record changes them.
 */
export class BrokerConfigsPublisher implements MetadataPublisher {
  readonly name = "broker-configs";

  constructor(
    private readonly nodeId: number,
    /** Replaces the node's dynamic configs with these (all of them, not a change). */
    private readonly applyDynamicConfigs: (dynamic: Record<string, string>) => void,
  ) {}

  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage, manifest: LoadManifest): void {
    const resource = String(this.nodeId);
    if (manifest.kind === "batch" && !delta.brokerConfigsChanged.includes(resource)) return;
    this.applyDynamicConfigs(Object.fromEntries(image.brokerConfigs.get(resource) ?? []));
  }
}
