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
    /**
     * Absolute path of handlers.js when the program ran. A project that moved (or state written on
     * another machine) falls back to the package as the project finds it: the package's main module
     * (dist/provider/index.js, whose folder holds dynamic/handlers.js) resolved from the folder the
     * host runs in, the project's. That is node_modules/pulumi-ikev2 in a user's project, and the
     * package itself (a self-reference through its exports) in this repository.
     */
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
            let moved = "the package pulumi-ikev2";
            try {
                moved = path.join(path.dirname(require.resolve("pulumi-ikev2", { paths: [process.cwd()] })), "dynamic", "handlers.js");
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above, from the project the host runs in
                mod = require(moved);
            } catch {
                throw new Error(
                    `pulumi-ikev2: cannot load the provider implementation from ${this.implementation} or ${moved} (from ${process.cwd()}): ${(e as Error).message.split("\n")[0]}. ` +
                        "Fix: install the package in the project (npm install pulumi-ikev2), or in its repository run npm ci && npm run build",
                );
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
