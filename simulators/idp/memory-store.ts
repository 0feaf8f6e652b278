/**
 * oidc-provider's storage for the bundled identity provider: one Map per process, entries dropped when they
 * expire. Sessions, interactions, codes and grants live as long as the process (a dev tool: restarting it
 * signs everyone out). Written for this provider's needs only (no device flow, no user codes).
 */
import type { Adapter, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

export function memoryStore(): new (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return class MemoryStore implements Adapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string) {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      if (entries.size > 10_000) for (const key of [...entries.keys()]) live(key);
      entries.set(this.#key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    }

    async find(id: string) {
      return live(this.#key(id))?.payload;
    }

    async findByUid(uid: string) {
      for (const [key, entry] of entries) {
        if (key.startsWith(`${this.#model}:`) && entry.payload.uid === uid && live(key)) return entry.payload;
      }
      return undefined;
    }

    async findByUserCode() {
      return undefined;
    }

    async consume(id: string) {
      const entry = live(this.#key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      entries.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(key);
    }
  };
}
