/** A client a registry can release: `close()` (Google, Azure pipelines) or `destroy()` (AWS). */
export type ReleasableClient = { close(): unknown } | { destroy(): unknown } | object;

/**
 * The SDK clients of one provider instance, built on first use by the module that calls them (so
 * importing a provider loads no SDK and resolves no credentials), once per name, from the
 * provider's client options. Prebuilt clients (the settings' seam for tests and for users who
 * configure their own) are used as they are and never closed by {@link ClientRegistry.close}.
 *
 * @example
 * ```ts
 * const clients = new ClientRegistry(options, settings.clients);
 * const instances = clients.client('instances', (options) => new InstancesClient(options));
 * await clients.close(); // closes what it built
 * ```
 */
export class ClientRegistry<Options> {
  readonly #built = new Map<string, unknown>();
  readonly #owned: unknown[] = [];
  readonly #prebuilt: Readonly<Record<string, unknown>>;

  constructor(
    /** What `create` receives. */
    readonly options: Options,
    prebuilt: Readonly<Record<string, unknown>> = {},
  ) {
    this.#prebuilt = prebuilt;
  }

  /** The client named `name`: the prebuilt one, or the one `create` builds once. */
  client<Client>(name: string, create: (options: Options) => Client): Client {
    const prebuilt = this.#prebuilt[name];
    if (prebuilt !== undefined) return prebuilt as Client;
    if (!this.#built.has(name)) {
      const client = create(this.options);
      this.#built.set(name, client);
      this.#owned.push(client);
    }
    return this.#built.get(name) as Client;
  }

  /** Closes (or destroys) every client this registry built; failures to close are ignored. */
  async close(): Promise<void> {
    const owned = this.#owned.splice(0);
    this.#built.clear();
    await Promise.all(
      owned.map(async (client) => {
        const releasable = client as { close?: () => unknown; destroy?: () => unknown };
        try {
          if (typeof releasable.close === 'function') await releasable.close();
          else if (typeof releasable.destroy === 'function') releasable.destroy();
        } catch {}
      }),
    );
  }
}
