/**
 * The verbs every platform driver offers, as NAPALM's drivers do: read what the device has, apply a
 * change (diffing against the device, then rolling back on failure) and remove. The dynamic
 * providers only call these; they never talk to a device themselves. Previews diff declared inputs
 * in the provider without touching a device; refresh shows what the device holds.
 */

/** One managed object as found on a device. */
export interface ObjectState<M> {
    /** The object converted back into the resource's model (what `pulumi refresh` reports). */
    model: M;
    /** The object's configuration as the device shows it, secrets masked. */
    config: string[];
    /** Configuration on the device that the model cannot express (lines or keys added by hand). */
    unmanaged: string[];
}

export interface ApplyOptions {
    /** True for a create: an object of that name already on the device is refused unless adopted. */
    creating: boolean;
    /** Take over an object that already exists on the device instead of refusing to touch it. */
    adopt: boolean;
    /** The Pulumi resource name, for messages. */
    resourceName: string;
}

export interface PlatformDriver<M> {
    read(model: M): Promise<ObjectState<M> | undefined>;
    /** Brings the device to `desired`; on any failure restores what was there and throws. */
    apply(desired: M, options: ApplyOptions): Promise<ObjectState<M>>;
    /** Removes the object; absent is fine. On failure restores it and throws. */
    remove(current: M, resourceName: string): Promise<void>;
}

/** An error that reports what happened on the device, including whether the rollback worked. */
export class ApplyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ApplyError";
    }
}
