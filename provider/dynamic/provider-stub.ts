/**
 * The object Pulumi serializes into state as `__provider`. It holds only the path of the compiled
 * implementation, so state never contains credentials or captured code, and a new version of the
 * implementation is picked up without the engine seeing a provider change.
 *
 * Every resource of every kind shares this one object and names its kind in an input of its own
 * (`__kind`, which Pulumi does not show: it hides `__` keys). Pulumi serializes each provider
 * object once per program, parsing each of its functions: a stub per kind cost a hub program eight
 * serializations, seven of them 15-30 ms each after the first (0.11-0.14 s of CPU, measured).
 *
 * Pulumi serializes the provider's functions as their source text, with a wrapper each, and keeps
 * that text in every resource's inputs and outputs, sends it with every request, and writes it with
 * every checkpoint: so the methods are one-line arrows and what they share is one function, with
 * its comments out here. (A class with commented methods made 4.7 kB per resource, two thirds of a
 * hub's state.)
 *
 * State written before `__kind` holds a stub per kind, which calls handlersFor(kind) itself: that
 * entry point stays, so such state still reads, updates and deletes.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loadHandlers requires a path known only at run time, in the host (a comment inside a function would be serialized with it) */
import * as path from "path";
// Types only: the stub must not load the implementation (nor capture it when Pulumi serializes it).
import type { ResourceHandlers } from "./kind";
import { KIND_INPUT } from "./wire";

/** The name of the kind's input, as a value of this module: the stub's functions capture it as text, not the wire module. */
const kindInput = KIND_INPUT;

/** What handlers.js exports. */
interface Implementation {
    handlersFor(kind: unknown): ResourceHandlers;
}

/**
 * The handlers of the kind the properties name, loaded inside the dynamic-provider host (not in
 * the program). First from `implementation`, the absolute path of handlers.js when the program ran;
 * a project that moved (or state written on another machine) falls back to the package as the
 * project finds it: the package's main module (dist/provider/index.js, whose folder holds
 * dynamic/handlers.js) resolved from the folder the host runs in, the project's. That is
 * node_modules/pulumi-ikev2 in a user's project, and the package itself (a self-reference through
 * its exports) in this repository.
 */
function loadHandlers(implementation: string, props: Record<string, unknown> | undefined): ResourceHandlers {
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
    return mod.handlersFor(props?.[kindInput]);
}

let shared: ResourceHandlers | undefined;

/** The provider every resource gives Pulumi; each verb calls the handlers of the kind its properties name. */
export function deviceProviderStub(): ResourceHandlers {
    if (shared) return shared;
    const implementation = path.join(__dirname, "handlers.js");
    const of = (props: Record<string, unknown> | undefined) => loadHandlers(implementation, props);
    shared = {
        check: (olds, news) => of(news).check(olds, news),
        diff: (id, olds, news) => of(news).diff(id, olds, news),
        create: (inputs) => of(inputs).create(inputs),
        read: (id, props) => of(props).read(id, props),
        update: (id, olds, news) => of(news).update(id, olds, news),
        delete: (id, props) => of(props).delete(id, props),
    };
    return shared;
}
