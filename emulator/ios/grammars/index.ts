/**
 * The command tree of every CLI mode, assembled from one module per mode or object family: each
 * family adds its header line to `(config)` and builds its own sub-mode.
 */
import type { Ctx, Mode } from "../context";
import { finalize, newRoot, Node } from "../grammar";
import { addIkeExecCommands } from "../ike/commands";
import { addArchiveConfig, addArchiveExec, buildArchiveMode } from "./archive";
import { addCommon } from "./common";
import { addConfigureExec, addExclusiveModeConfig } from "./configure";
import { addExecCommands } from "./exec";
import { addInterfaceConfig, buildInterfaceMode } from "./interface";
import { addPingExec } from "./ping";
import { addKeyringConfig, buildKeyringMode, buildPeerMode } from "./ikev2-keyring";
import { addPolicyConfig, buildPolicyMode } from "./ikev2-policy";
import { addProfileConfig, buildProfileMode } from "./ikev2-profile";
import { addProposalConfig, buildProposalMode } from "./ikev2-proposal";
import { addIpsecProfileConfig, buildIpsecProfileMode } from "./ipsec-profile";
import { addTransformSetConfig, buildTransformSetMode } from "./ipsec-transform-set";
import { addRouteConfig } from "./route";
import { addSystemConfig } from "./system";

function buildExec(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addExecCommands(r);
    addConfigureExec(r);
    addArchiveExec(r);
    addPingExec(r);
    addIkeExecCommands(r);
    finalize(r);
    return r;
}

function buildConfig(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, false);
    addSystemConfig(r);
    addExclusiveModeConfig(r);
    addArchiveConfig(r);
    addProposalConfig(r);
    addPolicyConfig(r);
    addKeyringConfig(r);
    addProfileConfig(r);
    addTransformSetConfig(r);
    addIpsecProfileConfig(r);
    addInterfaceConfig(r);
    addRouteConfig(r);
    finalize(r);
    return r;
}

export const GRAMMARS: Record<Mode, Node<Ctx>> = {
    exec: buildExec(),
    config: buildConfig(),
    "ikev2-proposal": buildProposalMode(),
    "ikev2-policy": buildPolicyMode(),
    "ikev2-keyring": buildKeyringMode(),
    "ikev2-keyring-peer": buildPeerMode(),
    "ikev2-profile": buildProfileMode(),
    "crypto-trans": buildTransformSetMode(),
    "ipsec-profile": buildIpsecProfileMode(),
    if: buildInterfaceMode(),
    archive: buildArchiveMode(),
};
