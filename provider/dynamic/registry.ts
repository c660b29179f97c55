/**
 * Every resource kind the provider serves, one entry each (kind.ts). The IOS kinds come from the
 * IOS core's handler table, so a new IOS object is its schema, its handler and its resource class;
 * a new platform adds its kinds here.
 *
 * Programs load this module too (the resource classes read each kind's secret layout and outputs),
 * so the drivers, and SSH with them, are loaded only when the provider first needs one: a program
 * and a no-op `up` never do.
 */
import { z } from "zod";
import type { DeviceTarget, ObjectState } from "../drivers/driver";
import { renderConfigTree } from "../ios/config-tree";
import { IosDeviceModels, iosObjects, sameModel } from "../ios/objects";
import { maskLine } from "../masking";
import { renderConnectionFile } from "../strongswan/swanctl-conf";
import { HostConnection, hostConnectionSchema, IosConnection, iosConnectionSchema } from "../schema/device";
import { IosKind, IosModels, iosSchemas } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { iosTunnelCheckSchema, strongSwanTunnelCheckSchema } from "../schema/tunnel-check";
import { defineKind } from "./kind";

/** The schema table seen per kind, so that the entry for any K knows its model type. */
const iosModelSchemas: { [K in IosKind]: z.ZodType<IosModels[K]> } = iosSchemas;

function iosKind<K extends IosKind>(kind: K) {
    return defineKind<IosModels[K], IosDeviceModels[K], ObjectState<IosDeviceModels[K]>, IosConnection, Record<never, never>>({
        kind,
        schema: iosModelSchemas[kind],
        connectionSchema: iosConnectionSchema,
        identity: [...(iosObjects[kind].scope ? [iosObjects[kind].scope] : []), iosObjects[kind].identity],
        driver: async (target) => new (await import("../drivers/ios-driver")).IosDriver(kind, target),
        outputs: {},
        render: (model) => renderConfigTree(iosObjects[kind].render(model)).map(maskLine),
        warnings: (model) => iosObjects[kind].warnings?.(model) ?? [],
        sameModel: (declared, device) => sameModel(kind, declared, device),
    });
}

type IosKindEntry = ReturnType<typeof iosKind>;

/** One entry per IOS kind, in the order of the core's handler table (which has one handler per IosKind). */
function iosKinds(): Record<IosKind, IosKindEntry> {
    // Object.fromEntries cannot know that the keys are exactly the IosKinds; the table's type does.
    return Object.fromEntries(Object.values(iosObjects).map((h) => [h.kind, iosKind(h.kind)])) as Record<IosKind, IosKindEntry>;
}

export const registry = {
    ...iosKinds(),
    StrongSwanConnection: defineKind({
        kind: "StrongSwanConnection",
        schema: strongSwanConnectionSchema,
        connectionSchema: hostConnectionSchema,
        identity: ["name"],
        driver: async (target: DeviceTarget<HostConnection>) => new (await import("../drivers/strongswan-driver")).StrongSwanDriver(target),
        render: (model) =>
            renderConnectionFile(model)
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map(maskLine),
        outputs: {
            /** Whether charon had the connection loaded when last applied or refreshed. */
            loaded: { of: (s) => s.loaded, drifted: (stored) => stored === false },
            /** Path of the connection's file on the host. */
            file: { of: (s) => s.file },
        },
    }),
    StrongSwanTunnelCheck: defineKind({
        kind: "StrongSwanTunnelCheck",
        schema: strongSwanTunnelCheckSchema,
        connectionSchema: hostConnectionSchema,
        identity: ["connectionName", "child"],
        driver: async (target: DeviceTarget<HostConnection>) => new (await import("../drivers/tunnel-check-driver")).StrongSwanTunnelProber(target),
        outputs: {
            /** Whether the IKE_SA is established and the CHILD_SA installed (at the last up or refresh). */
            established: { of: (s) => s.established, drifted: (stored) => stored === false },
        },
    }),
    IosTunnelCheck: defineKind({
        kind: "IosTunnelCheck",
        schema: iosTunnelCheckSchema,
        connectionSchema: iosConnectionSchema,
        identity: ["tunnel"],
        driver: async (target: DeviceTarget<IosConnection>) => new (await import("../drivers/ios-tunnel-check-driver")).IosTunnelProber(target),
        outputs: {
            /** Whether the IKE_SA is established (READY) and the tunnel's ESP SAs installed (at the last up or refresh). */
            established: { of: (s) => s.established, drifted: (stored) => stored === false },
        },
    }),
};

export type ResourceKind = keyof typeof registry;
