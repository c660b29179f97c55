/**
 * The object Pulumi serializes into state as `__provider`. It holds only the kind and the path of
 * the compiled implementation, so state never contains credentials or captured code, and a new
 * version of the implementation is picked up without the engine seeing a provider change.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as path from "path";
// Types only: the stub must not load the implementation (nor capture it when Pulumi serializes it).
import type { ResourceHandlers } from "./kind";
import type { ResourceKind } from "./registry";

type Props = Record<string, unknown>;

/** Every kind a stub serves: the device kinds of the registry, and the cross-end check (cross-end-check.ts). */
export type ProviderKind = ResourceKind | "CrossEndCheck";

/** What handlers.js exports. */
interface Implementation {
    handlersFor(kind: ProviderKind): ResourceHandlers;
}

export class DeviceProviderStub implements dynamic.ResourceProvider {
    /** Absolute path of handlers.js when the program ran; a moved project falls back to cwd. */
    private readonly implementation: string;

    constructor(private readonly kind: ProviderKind) {
        this.implementation = path.join(__dirname, "handlers.js");
    }

    private handlers(): ResourceHandlers {
        // `require` runs inside the dynamic-provider host, not in the program.
        let mod: Implementation;
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known at run time, loaded in the host
            mod = require(this.implementation);
        } catch (e) {
            const moved = path.join(process.cwd(), "dist", "provider", "dynamic", "handlers.js");
            try {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above, from the project the host runs in
                mod = require(moved);
            } catch {
                throw new Error(`pulumi-ikev2: cannot load the provider implementation from ${this.implementation} or ${moved}: ${(e as Error).message}. Fix: run npm ci && npm run build in the project`);
            }
        }
        return mod.handlersFor(this.kind);
    }

    check(olds: Props, news: Props) {
        return this.handlers().check(olds, news);
    }
    diff(id: string, olds: Props, news: Props) {
        return this.handlers().diff(id, olds, news);
    }
    create(inputs: Props) {
        return this.handlers().create(inputs);
    }
    read(id: string, props?: Props) {
        return this.handlers().read(id, props);
    }
    update(id: string, olds: Props, news: Props) {
        return this.handlers().update(id, olds, news);
    }
    delete(id: string, props: Props) {
        return this.handlers().delete(id, props);
    }
}
