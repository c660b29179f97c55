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

/** Which resource an operation is for. */
export interface OperationTarget {
    /** The resource for messages: its kind and its name on the device (`IkeV2Keyring KR`). */
    resourceName: string;
    /** The resource's id (`Kind:user@host:name`): the intent journal's key, and what PULUMI_IKEV2_ADOPT lists. */
    resourceId: string;
}

export interface ApplyOptions<M = unknown> extends OperationTarget {
    /**
     * True for a create: an object of that name already on the device is refused unless adopted,
     * or unless the intent journal shows it is this provider's own unrecorded create (journal.ts).
     */
    creating: boolean;
    /**
     * The model last applied (an update's old state), when known: a driver sends again what
     * changed since then even where the device cannot show it (keys IOS shows only encrypted).
     */
    previous?: M;
    /** Take over an object that already exists on the device instead of refusing to touch it. */
    adopt: boolean;
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
    remove(current: M, target: OperationTarget): Promise<void>;
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

/** The environment variable that lists resource ids (comma or space separated) to take over once. */
export const ADOPT_VARIABLE = "PULUMI_IKEV2_ADOPT";

/**
 * The refusal to create over an object that exists on the device and that the intent journal does
 * not show as this provider's own: it may be someone else's. Says whether it already matches the
 * declaration, and gives the exact commands that resolve it either way.
 */
export function existingObjectError(what: string, device: string, matches: boolean, target: OperationTarget, removal: string): ApplyError {
    return new ApplyError(
        `${what} already exists on ${device} and ${matches ? "matches" : "differs from"} the declaration, but this provider has no record ` +
            `of creating it (no interrupted deployment of this project on this machine left it), so it may be someone else's. Nothing was changed. ` +
            `Fix: if it is this stack's (for example left by a deployment interrupted on another machine), take it over with ` +
            `\`${ADOPT_VARIABLE}='${target.resourceId}' pulumi up\`: it is then brought to the declaration and deleted with the stack. ` +
            `Otherwise choose another name, or remove it from the device (${removal}); adopt: true on the resource takes it over for good`,
        { status: "unchanged" },
    );
}
