/**
 * Pulumi program of the null stack: one resource of the null provider (null-provider.ts) per node
 * of a resource graph (bench/null-graph.ts), with that node's type name, inputs, wire properties
 * (connection, secrets, computed outputs) and dependencies.
 * Stack configuration: graph (path of the graph's JSON file).
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { NullGraph, NullNode } from "../null-graph";
import { nullProvider } from "./null-provider";

/** A resource of the null provider. */
class NullResource extends pulumi.dynamic.Resource {}

/** The node's inputs, plus the real resource's wire properties: connection, placeholder secrets, computed outputs. */
function inputsOf(node: NullNode): pulumi.Inputs {
    if (!node.wire) return node.inputs;
    const outputs = Object.fromEntries(node.wire.outputs.map((o) => [o, undefined]));
    const secrets = Object.fromEntries(node.wire.secrets.map((s) => [s, pulumi.secret(`null-${s}`)]));
    return { ...outputs, ...node.inputs, connection: node.wire.connection, ...secrets };
}

const graph: NullGraph = JSON.parse(fs.readFileSync(new pulumi.Config().require("graph"), "utf8"));
const created = new Map<string, pulumi.Resource>();
for (const node of graph.nodes) {
    const dependsOn = node.dependsOn.map((name) => {
        const r = created.get(name);
        if (!r) throw new Error(`${node.name} depends on ${name}, which comes later or not at all`);
        return r;
    });
    const opts: pulumi.CustomResourceOptions = { dependsOn, additionalSecretOutputs: node.wire?.secrets };
    created.set(node.name, new NullResource(nullProvider, node.name, inputsOf(node), opts, "null", node.type));
}

export const resourceCount = created.size;
