/**
 * The object Pulumi serializes into state as `__provider`. It holds only the kind and the path of
 * the compiled implementation, so state never contains credentials or captured code, and a new
 * version of the implementation is picked up without the engine seeing a provider change.
 *
 * Pulumi serializes the provider's functions as their source text, with a wrapper each, and keeps
 * that text in every resource's inputs and outputs, sends it with every request, and writes it with
 * every checkpoint: so the methods are one-line arrows and what they share is one function, with
 * its comments out here. (A class with commented methods made 4.7 kB per resource, two thirds of a
 * hub's state.)
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loadHandlers requires a path known only at run time, in the host (a comment inside a function would be serialized with it) */
import * as path from "path";
// Types only: the stub must not load the implementation (nor capture it when Pulumi serializes it).
import type { ResourceHandlers } from "./kind";
import type { ResourceKind } from "./registry";

/** Every kind a stub serves: the device kinds of the registry, and the cross-end check (cross-end-check.ts). */
export type ProviderKind = ResourceKind | "CrossEndCheck";

/** What handlers.js exports. */
interface Implementation {
    handlersFor(kind: ProviderKind): ResourceHandlers;
}

/**
 * The kind's handlers, loaded inside the dynamic-provider host (not in the program). First from
 * `implementation`, the absolute path of handlers.js when the program ran; a project that moved (or
 * state written on another machine) falls back to the package as the project finds it: the
 * package's main module (dist/provider/index.js, whose folder holds dynamic/handlers.js) resolved
 * from the folder the host runs in, the project's. That is node_modules/pulumi-ikev2 in a user's
 * project, and the package itself (a self-reference through its exports) in this repository.
 */
function loadHandlers(implementation: string, kind: ProviderKind): ResourceHandlers {
    let mod: Implementation;
    try {
        mod = require(implementation);
    } catch (e) {
        let moved = "the package pulumi-ikev2";
        try {
            moved = path.join(path.dirname(require.resolve("pulumi-ikev2", { paths: [process.cwd()] })), "dynamic", "handlers.js");
            mod = require(moved);
        } catch {
            throw new Error(
                `pulumi-ikev2: cannot load the provider implementation from ${implementation} or ${moved} (from ${process.cwd()}): ${(e as Error).message.split("\n")[0]}. ` +
                    "Fix: install the package in the project (npm install pulumi-ikev2), or in its repository run npm ci && npm run build",
            );
        }
    }
    return mod.handlersFor(kind);
}

/** The provider of one kind, as the program gives it to Pulumi; its verbs call the kind's handlers in the host. */
export function deviceProviderStub(kind: ProviderKind): ResourceHandlers {
    const implementation = path.join(__dirname, "handlers.js");
    const handlers = () => loadHandlers(implementation, kind);
    return {
        check: (olds, news) => handlers().check(olds, news),
        diff: (id, olds, news) => handlers().diff(id, olds, news),
        create: (inputs) => handlers().create(inputs),
        read: (id, props) => handlers().read(id, props),
        update: (id, olds, news) => handlers().update(id, olds, news),
        delete: (id, props) => handlers().delete(id, props),
    };
}
