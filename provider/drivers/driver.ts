/**
 * The verbs every platform driver offers, as NAPALM's drivers do: read what the device has, apply a
 * change (diffing against the device, then rolling back on failure) and remove. The dynamic
 * providers only call these; they never talk to a device themselves. Previews diff declared inputs
 * in the provider without touching a device; refresh shows what the device holds.
 */
import { Credentials } from "../schema/device";

/** One managed object as found on a device; D is the model as the device shows it. */
export interface ObjectState<D> {
    /** The object converted back into the resource's model (what `pulumi refresh` reports). */
    model: D;
    /** The object's configuration as the device shows it, secrets masked. */
    config: string[];
    /** Configuration on the device that the model cannot express (lines or keys added by hand). */
    unmanaged: string[];
}

export interface ApplyOptions<M = unknown> {
    /** True for a create: an object of that name already on the device is refused unless adopted. */
    creating: boolean;
    /**
     * The model last applied (an update's old state), when known: a driver sends again what
     * changed since then even where the device cannot show it (keys IOS shows only encrypted).
     */
    previous?: M;
    /** Take over an object that already exists on the device instead of refusing to touch it. */
    adopt: boolean;
    /** The Pulumi resource name, for messages. */
    resourceName: string;
}

/**
 * A driver of one resource kind on one platform: M is the validated model, D the model as read
 * back from the device (it may hold what the schema refuses), S the state with the kind's extras.
 */
export interface PlatformDriver<M, D = M, S extends ObjectState<D> = ObjectState<D>> {
    read(model: M): Promise<S | undefined>;
    /** Brings the device to `desired`; on any failure restores what was there and throws ApplyError. */
    apply(desired: M, options: ApplyOptions<M>): Promise<S>;
    /** Removes the object; absent is fine. On failure restores it and throws ApplyError. */
    remove(current: M, resourceName: string): Promise<void>;
}

/** Everything a driver needs to reach its device: C is the platform's connection settings. */
export interface DeviceTarget<C> {
    connection: C;
    credentials: Credentials;
    /** Every secret value that could show up in a command or an answer, for redaction. */
    secrets: string[];
}

/**
 * What became of the device after a change failed, with the sentence that says so:
 * - unchanged: the failure came before anything was changed;
 * - restored: what was there before is back;
 * - removed: the object did not exist before, and what was created of it is gone again;
 * - rollback-failed: restoring was refused or impossible (deviceState: what the device holds, when known);
 * - rollback-incomplete: restoring ran, but the device does not hold what it did before.
 */
export type RollbackOutcome =
    | { status: "unchanged" }
    | { status: "restored" | "removed"; summary: string }
    | { status: "rollback-failed"; summary: string; deviceState?: string[] }
    | { status: "rollback-incomplete"; summary: string; deviceState?: string[] };

/** How a rollback that ran went: every outcome but unchanged. */
export type RollbackAttempt = Exclude<RollbackOutcome, { status: "unchanged" }>;

/** A change that failed: the message says what happened and ends with how the rollback went. */
export class ApplyError extends Error {
    constructor(
        message: string,
        readonly rollback: RollbackOutcome,
    ) {
        super(message);
        this.name = "ApplyError";
    }
}
