/**
 * Recovery from an interrupted deployment (issue 9, item 1) as the provider sees it: the engine
 * calls create again for a create that was in flight when `pulumi up` was killed, and the device
 * already holds the object, complete or half-made. The intent journal of the deployment that died
 * (a process of this project on this machine that is gone) is the evidence that the object is the
 * provider's own unrecorded work; without it the object may be someone else's and is refused with
 * the exact command that takes it over. The end-to-end version with the real CLI and kill -9 is in
 * tests/e2e/recovery.test.ts.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry } from "../../provider/dynamic/registry";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { SshPool } from "../../provider/ssh/pool";
import { storyInputs } from "../fixtures/ios/story-hub";
import { EmulatedRouter, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

const KEYRING = storyInputs.IkeV2Keyring[0];

/** running-config without the lines that change on every write. */
function stripVolatile(config: string): string {
    return config.replace(/^(Current configuration|! Last configuration change|! NVRAM config last updated).*\n/gm, "");
}

/** The pid of a process that has ended (its start time is then unknown: any value will do). */
function deadPid(): number {
    return spawnSync("true").pid!;
}

describe("recovery: the provider finishes its own interrupted work and refuses anyone else's", function () {
    this.timeout(60000);
    let router: EmulatedRouter;
    let journalDir: string;
    let device: string;

    const inputs = (props: Props): Props => ({
        connection: router.connection,
        credentials: router.credentials,
        ...inputsFromModel(registry.IkeV2Keyring.secrets, structuredClone(props)),
    });
    const resourceId = () => `IkeV2Keyring:${device}:KR`;

    /** A journal left by a provider process that is gone, as kill -9 leaves one. */
    function abandonedJournal(journal: { project?: string; creates?: Record<string, unknown>; devices?: Record<string, unknown>; pid?: number; started?: string }): string {
        const pid = journal.pid ?? deadPid();
        const started = journal.started ?? "1";
        const file = path.join(journalDir, `${pid}-${started}.json`);
        fs.writeFileSync(
            file,
            JSON.stringify({ version: 1, pid, started, host: os.hostname(), project: journal.project ?? "", cwd: process.cwd(), creates: journal.creates ?? {}, devices: journal.devices ?? {} }),
            { mode: 0o600 },
        );
        return file;
    }

    /** The keyring's first peer only, as a create killed after a few lines leaves it. */
    function halfMadeKeyring(): void {
        router.emulator.loadRunningConfig(
            router.emulator.runningConfig().replace(/^end$/m, ["crypto ikev2 keyring KR", " peer vps", "  address 203.0.113.7", "!", "end"].join("\n")),
        );
    }

    beforeEach(async () => {
        journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-journal-"));
        process.env.PULUMI_IKEV2_JOURNAL_DIR = journalDir;
        router = await startRouter();
        device = `admin@127.0.0.1:${router.emulator.port}`;
    });
    afterEach(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
        delete process.env.PULUMI_IKEV2_JOURNAL_DIR;
        delete process.env.PULUMI_IKEV2_ADOPT;
        fs.rmSync(journalDir, { recursive: true, force: true });
    });

    it("a create that died half-way in a deployment of this project is finished, and the dead journal is cleared", async () => {
        halfMadeKeyring();
        const file = abandonedJournal({ creates: { [resourceId()]: { state: "started", at: new Date().toISOString() } } });
        const result = await handlersFor("IkeV2Keyring").create(inputs(KEYRING));
        assert.strictEqual(result.id, resourceId());
        const config = router.emulator.runningConfig();
        assert.match(config, /^ peer parents$/m);
        assert.match(config, /^  pre-shared-key vps-Key-2024!x$/m);
        assert.ok(!fs.existsSync(file), "the dead process's journal is still there");
    });

    it("a finished create that the engine never recorded is taken over without a change", async () => {
        await handlersFor("IkeV2Keyring").create(inputs(KEYRING));
        const before = stripVolatile(router.emulator.runningConfig());
        abandonedJournal({ creates: { [resourceId()]: { state: "done", at: new Date().toISOString() } } });
        const from = router.received.length;
        await handlersFor("IkeV2Keyring").create(inputs(KEYRING));
        const configuring = router.received.slice(from).filter((l) => !/^(enable|terminal |configure terminal|do show running-config|end|exit|configure confirm)/.test(l));
        assert.deepStrictEqual(configuring, [], "a configuration line was sent");
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), before);
    });

    it("an object no journal vouches for is refused with the exact command that takes it over, and that command works", async () => {
        halfMadeKeyring();
        const before = stripVolatile(router.emulator.runningConfig());
        await assert.rejects(handlersFor("IkeV2Keyring").create(inputs(KEYRING)), (e: unknown) => {
            assert.ok(e instanceof ApplyError && e.rollback.status === "unchanged", String(e));
            assert.match(e.message, /already exists on .* and differs from the declaration/);
            assert.match(e.message, /may be someone else's\. Nothing was changed/);
            assert.ok(e.message.includes(`\`PULUMI_IKEV2_ADOPT='${resourceId()}' pulumi up\``), e.message);
            assert.ok(e.message.includes("configure terminal / no crypto ikev2 keyring KR / end"), e.message);
            return true;
        });
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), before);
        process.env.PULUMI_IKEV2_ADOPT = `IkeV2Proposal:${device}:OTHER ${resourceId()}`;
        await handlersFor("IkeV2Keyring").create(inputs(KEYRING));
        assert.match(router.emulator.runningConfig(), /^ peer parents$/m);
    });

    it("an equal object made by hand is refused too, and the message says it matches", async () => {
        await handlersFor("IkeV2Keyring").create(inputs(KEYRING));
        await assert.rejects(handlersFor("IkeV2Keyring").create(inputs(KEYRING)), /already exists on .* and matches the declaration, but this provider has no record of creating it/);
    });

    it("the journal of another project, or of a process still running, is no evidence", async () => {
        halfMadeKeyring();
        abandonedJournal({ project: "another-project", creates: { [resourceId()]: { state: "started", at: new Date().toISOString() } } });
        const live = spawn("sleep", ["30"], { stdio: "ignore" });
        const livePid = live.pid!;
        try {
            const started = fs.readFileSync(`/proc/${livePid}/stat`, "utf8").split(") ")[1].split(" ")[19];
            abandonedJournal({ pid: livePid, started, creates: { [resourceId()]: { state: "started", at: new Date().toISOString() } } });
            await assert.rejects(handlersFor("IkeV2Keyring").create(inputs(KEYRING)), /no record of creating it/);
        } finally {
            live.kill("SIGKILL");
        }
    });

    it("changes a deployment that died left unsaved are saved at the first session on the device", async () => {
        await handlersFor("IkeV2Proposal").create({
            connection: router.connection,
            credentials: router.credentials,
            ...storyInputs.IkeV2Proposal[0],
        });
        halfMadeKeyring();
        assert.ok(!router.emulator.startupConfig()?.includes("crypto ikev2 keyring KR"));
        const file = abandonedJournal({ devices: { [device]: { unsaved: new Date().toISOString() } } });
        await SshPool.shared.closeAll();
        await handlersFor("IkeV2Proposal").read("", { connection: router.connection, credentials: router.credentials, ...storyInputs.IkeV2Proposal[0] });
        assert.ok(router.emulator.startupConfig()?.includes("crypto ikev2 keyring KR"), "the unsaved change was not saved");
        assert.ok(!fs.existsSync(file), "the dead process's journal is still there");
    });
});
