/**
 * The IOS platform driver: describes each read and change of one resource kind to the device's
 * router (ios-router.ts), which runs it in a configuration session under the router's safety net,
 * reads the object back, and restores it on any failure.
 */
import { IosConnection } from "../schema/device";
import { deviceLabel } from "../device-label";
import { IosKind, IosModels } from "../schema/ios";
import { ConfigNode, renderConfigTree } from "../ios/config-tree";
import { IosDeviceModels, iosObjects } from "../ios/objects";
import { planTransition } from "../ios/plan";
import { maskLine } from "../masking";
import { ApplyOptions, DeviceTarget, existingObjectError, ObjectState, OperationTarget, PlatformDriver } from "./driver";
import { IosRouter, ObjectChange } from "./ios-router";
import { IntentJournal } from "./journal";

type Model<K extends IosKind> = IosModels[K];
type State<K extends IosKind> = ObjectState<IosDeviceModels[K]>;

export class IosDriver<K extends IosKind> implements PlatformDriver<Model<K>, IosDeviceModels[K]> {
    private readonly device: string;

    constructor(
        private readonly kind: K,
        private readonly target: DeviceTarget<IosConnection>,
    ) {
        this.device = deviceLabel(target.connection);
    }

    private get handler() {
        return iosObjects[this.kind];
    }

    private get router(): IosRouter {
        return IosRouter.for(this.target);
    }

    async read(model: Model<K>): Promise<State<K> | undefined> {
        const nodes = await this.router.read((tree) => this.handler.extract(tree, model));
        return nodes && this.stateOf(nodes);
    }

    async apply(desired: Model<K>, options: ApplyOptions<Model<K>>): Promise<State<K>> {
        const what = `${this.handler.describe(desired)} (resource ${options.resourceName})`;
        const target = this.handler.render(desired);
        const journal = IntentJournal.shared;
        const after = await this.router.change({
            ...this.changeOf(desired, target, `applying ${what} on ${this.device}`),
            guard: (before) => {
                if (!before || !options.creating || options.adopt || journal.ownsCreate(options.resourceId)) return;
                const removal = planTransition(this.kind, before, undefined).map(maskLine).join(" / ");
                throw existingObjectError(what, this.device, this.handler.sameConfig(before, target), options, `configure terminal / ${removal} / end`);
            },
            // Before the first line of a create: the journal must vouch for a half-made object after a crash.
            beforeLines: (before) => {
                if (options.creating && !before) journal.beginCreate(options.resourceId);
            },
            // Keys the device shows only encrypted hold the declared ones, unless they changed since the last apply.
            known: (before) => before && this.handler.withDeclaredKeys(before, desired, options.previous),
            settled: (present) => {
                if (options.creating) journal.createDone(options.resourceId, present);
            },
        });
        return this.stateOf(after!);
    }

    async remove(current: Model<K>, target: OperationTarget): Promise<void> {
        const what = `${this.handler.describe(current)} (resource ${target.resourceName})`;
        await this.router.change(this.changeOf(current, undefined, `removing ${what} from ${this.device}`));
    }

    /** The object's change as the router needs it: how to find, compare, plan and show it. */
    private changeOf(model: Model<K>, target: ConfigNode[] | undefined, action: string): ObjectChange {
        const handler = this.handler;
        return {
            action,
            target,
            extract: (tree) => handler.extract(tree, model),
            same: (a, b) => handler.sameConfig(a, b),
            plan: (from, to, tree) => planTransition(this.kind, from, to ?? handler.remainder?.(tree, model)),
            emptied: target ? undefined : (tree) => handler.emptied?.(tree, model) ?? [],
            shown: (nodes) => (nodes ? renderConfigTree(nodes).map(maskLine) : []),
            secrets: this.target.secrets,
        };
    }

    private stateOf(nodes: ConfigNode[]): State<K> {
        const parsed = this.handler.parse(nodes);
        return {
            model: parsed.model,
            config: renderConfigTree(nodes).map(maskLine),
            unmanaged: parsed.unknownLines.map(maskLine),
        };
    }
}
