/**
 * A dynamic provider that does nothing: create returns its inputs, read returns the state, delete
 * forgets. With the same resources, dependencies and inputs as a real stack, its times are the
 * Pulumi engine's own floor (program, engine, state, the dynamic-provider host), which no provider
 * can go below. Its methods use nothing outside themselves, so it serializes into state as is.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

type Props = Record<string, unknown>;

export const nullProvider: dynamic.ResourceProvider = {
    async create(inputs: Props): Promise<dynamic.CreateResult> {
        return { id: `null-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`, outs: inputs };
    },
    async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
        // Like the real provider, compare the properties, not the serialized provider code.
        const strip = (p: Props) => JSON.stringify(Object.entries(p).filter(([k]) => k !== "__provider").sort(([a], [b]) => (a < b ? -1 : 1)));
        return { changes: strip(olds) !== strip(news) };
    },
    async update(_id: string, _olds: Props, news: Props): Promise<dynamic.UpdateResult> {
        return { outs: news };
    },
    async read(id: string, props?: Props): Promise<dynamic.ReadResult> {
        return { id, props, inputs: props };
    },
    async delete(): Promise<void> {},
};
