import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SupergraphManager, SupergraphSdlHook } from '@apollo/gateway';

type SupergraphSdlHookOptions = Parameters<SupergraphSdlHook>[0];

/** What the loader reports. */
export interface SupergraphLoaderEvents {
  /** A new supergraph was handed to the gateway. */
  onLoaded?(info: { sdl: string; reason: 'start' | 'file-changed' }): void;
  /** The file changed but could not be used; the gateway keeps serving the previous supergraph. */
  onError?(error: Error): void;
}

/**
 * The one place the gateway gets its supergraph from: reads `path`, prepares the SDL for
 * ApolloGateway (the place that will read and strip the auth directives it refuses), and
 * hot-reloads when the file changes. ApolloGateway swaps schemas atomically: requests in flight
 * finish on the supergraph they started with, new ones get the new one, none is dropped.
 */
export class SupergraphLoader implements SupergraphManager {
  /** The SDL currently served, once loaded. */
  current: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly events: SupergraphLoaderEvents = {},
    /** Turns the composed SDL into what ApolloGateway loads. @default identity */
    private readonly prepare: (sdl: string) => string = (sdl) => sdl,
    /** Wait this long after the last change event before reloading (editors write in steps). @default 50 */
    private readonly debounceMs = 50,
  ) {}

  async initialize({
    update,
    healthCheck,
  }: SupergraphSdlHookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    const sdl = this.prepare(await readFile(this.path, 'utf8'));
    this.current = sdl;
    this.events.onLoaded?.({ sdl, reason: 'start' });
    // Watch the folder, not the file: an atomic rename-over replaces the file's inode.
    const file = basename(this.path);
    this.watcher = watch(dirname(this.path), (_event, name) => {
      if (name !== null && name !== file) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(update, healthCheck), this.debounceMs);
    });
    return { supergraphSdl: sdl, cleanup: async () => this.close() };
  }

  private async reload(
    update: SupergraphSdlHookOptions['update'],
    _healthCheck: SupergraphSdlHookOptions['healthCheck'],
  ): Promise<void> {
    let sdl: string;
    try {
      sdl = this.prepare(await readFile(this.path, 'utf8'));
    } catch (err) {
      this.events.onError?.(err as Error);
      return;
    }
    if (sdl === this.current || sdl.trim() === '') return;
    try {
      // update() validates the supergraph and throws on a bad one; the old one keeps serving.
      update(sdl);
      this.current = sdl;
      this.events.onLoaded?.({ sdl, reason: 'file-changed' });
    } catch (err) {
      this.events.onError?.(err as Error);
    }
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
