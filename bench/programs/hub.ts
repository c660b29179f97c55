/**
 * Pulumi program of the benchmark's hub: N tunnels on one IOS router (bench/hub.ts), with this
 * provider. Stack configuration (bench/pulumi.ts sets it):
 *   host port user hostKey password(secret) enableSecret(secret)   the router
 *   n (synthetic spokes) or spokes (JSON list of { name, wan, lans })
 *   hubWan tunnelSource pskSeed(secret) changed(bool: the one-property change)
 */
import * as pulumi from "@pulumi/pulumi";
import { IosDevice } from "../../provider";
import { hubObjects, Spoke, syntheticSpokes } from "../hub";
import { hubResources } from "./hub-resources";

const cfg = new pulumi.Config();

const device: IosDevice = {
    host: cfg.require("host"),
    port: cfg.requireNumber("port"),
    username: cfg.require("user"),
    hostKey: cfg.require("hostKey"),
    password: cfg.requireSecret("password"),
    enableSecret: cfg.requireSecret("enableSecret"),
    // Large configurations take a while to print and save, all the more with the cost model on.
    commandTimeoutMs: 600000,
};

const spokes = cfg.getObject<Spoke[]>("spokes") ?? syntheticSpokes(cfg.requireNumber("n"));
const objects = hubObjects({ hubWan: cfg.require("hubWan"), tunnelSource: cfg.require("tunnelSource"), spokes, changed: cfg.getBoolean("changed") });
const resources = hubResources(device, objects, cfg.requireSecret("pskSeed"));

export const resourceCount = resources.size;
