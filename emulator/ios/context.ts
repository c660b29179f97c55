/**
 * What every command handler sees: the router (`Core`: configuration and what outlives a
 * session), the CLI session (`Session`: privilege, mode stack, terminal), the CLI modes with
 * their prompts, and the error a handler throws to make IOS's caret. The grammars
 * (`grammars/`), the session (`session.ts`), the server and the IKE feature all build on this
 * file, which imports none of them.
 */
import type { RunningConfig } from "./config";
import type { IkeAgent } from "./ike/agent";
import type { Line } from "./lines";
import type { LogBuffer } from "./logbuffer";
import type { SafetyNet } from "./safety";

export type Mode =
    | "exec"
    | "config"
    | "ikev2-proposal"
    | "ikev2-policy"
    | "ikev2-keyring"
    | "ikev2-keyring-peer"
    | "ikev2-profile"
    | "crypto-trans"
    | "ipsec-profile"
    | "if"
    | "archive";

export const PROMPT_SUFFIX: Record<Mode, string> = {
    exec: "",
    config: "(config)",
    "ikev2-proposal": "(config-ikev2-proposal)",
    "ikev2-policy": "(config-ikev2-policy)",
    "ikev2-keyring": "(config-ikev2-keyring)",
    "ikev2-keyring-peer": "(config-ikev2-keyring-peer)",
    "ikev2-profile": "(config-ikev2-profile)",
    "crypto-trans": "(cfg-crypto-trans)",
    "ipsec-profile": "(ipsec-profile)",
    if: "(config-if)",
    archive: "(config-archive)",
};

/** One level of the mode stack: the mode and the object it edits. */
export interface Frame {
    mode: Mode;
    name?: string;
    peer?: string;
}

/** The router: configuration and what outlives a session. Implemented by the server. */
export interface Core {
    config: RunningConfig;
    physicalNames: string[];
    configKey?: string;
    bootSalt: string;
    enableSecretOption?: string;
    startupText(): string | undefined;
    /** The whole running-config as IOS prints it, from `!` to `end` (an NVGEN: counted and timed by the cost model). */
    generateConfig(): Promise<string>;
    /** `write memory`: an NVGEN plus the NVRAM write. */
    saveStartup(): Promise<void>;
    /** A read of part of the configuration (one interface, startup-config): counted and timed. */
    partialRead(): Promise<void>;
    setConfigKey(key: string | undefined): void;
    mergeConfigText(text: string): void;
    /** `configure replace` and a revert: running-config becomes the file's configuration, and charon follows. */
    replaceRunningConfig(text: string): void;
    bootTime: number;
    /** Whether packets can be sent (the emulator runs in its lab site's namespace, option `ike`): `ping` needs it. */
    dataPath: boolean;
    /** The link to a real charon (emulator option `ike`); undefined: no IKE. */
    ike?: IkeAgent;
    /** Archive, revert timers, the exclusive lock, `configure replace`. */
    safety: SafetyNet;
    /** The logging buffer `show logging` prints. */
    syslog: LogBuffer;
    /** Called when a configuration session ends (`end`, Ctrl-Z, `exit` to EXEC) or config was merged. */
    configChanged(): void;
}

/** One CLI session as the commands see it. */
export interface Session {
    /** The terminal line the session occupies. */
    line: Line;
    priv: number;
    frames: Frame[];
    termLength: number;
    termWidth: number;
    ask(prompt: string, echo: boolean): Promise<string | null>;
    close(): void;
    exec(line: string): Promise<string>;
}

export interface Ctx {
    core: Core;
    sess: Session;
}

/** A command that parsed but that the router refuses: `% Invalid input` with the caret under a token. */
export class CliInvalid extends Error {
    constructor(public readonly at: "first" | "last" = "last") {
        super("invalid input");
    }
}
