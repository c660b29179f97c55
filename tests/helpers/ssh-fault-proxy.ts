/**
 * An SSH server in the test process that forwards every exec request to a real host (a lab site's
 * sshd, with that site's login) and can drop the client's connection at a chosen exec: before the
 * command runs, or after it ran but before its answer reaches the client (the answer is lost).
 * Everything the client's commands do happens on the real host (real shell, swanctl and charon);
 * only the connection between the client and the host is the test's. It can also answer one
 * command with a failure instead of running it (a refusal, as the IOS emulator's rejectCommands).
 */
import { Client, ClientChannel, Connection, Server } from "ssh2";
import { ed25519KeyPair } from "./keys";
import { fingerprintOf } from "./ios-lab";

/** A dropped connection at one exec request (0-based, counted per connection). */
export interface DropFault {
    exec: number;
    /** `before`: the command never runs; `after`: it runs, its answer is lost with the connection. */
    when: "before" | "after";
}

/** The first command that matches does not run; the client gets this exit code and error output instead. */
export interface FailFault {
    command: RegExp;
    code: number;
    stderr: string;
}

export type ExecFault = DropFault | FailFault;

export interface UpstreamHost {
    host: string;
    port: number;
    username: string;
    privateKey: string;
}

export interface SshFaultProxy {
    port: number;
    hostKey: string;
    /** The password the proxy accepts (any user name). */
    password: string;
    /** Arms one fault for the next connection that reaches it; cleared once it fired. */
    setFault(fault: ExecFault | undefined): void;
    /** True once the armed fault fired (since it was set). */
    fired(): boolean;
    /** Every command the proxy forwarded, in order. */
    commands: string[];
    close(): Promise<void>;
}

export async function startSshFaultProxy(upstream: UpstreamHost): Promise<SshFaultProxy> {
    const keys = ed25519KeyPair();
    const password = "Fault-Proxy-Pw-3";
    const commands: string[] = [];
    const clients = new Set<Connection>();
    let fault: ExecFault | undefined;
    let fired = false;

    const server = new Server({ hostKeys: [keys.private] }, (client) => {
        clients.add(client);
        let execs = 0;
        const upstreamClient = new Client();
        const ready = new Promise<void>((resolve, reject) => {
            upstreamClient.once("ready", () => resolve());
            upstreamClient.once("error", reject);
        });
        ready.catch(() => client.end());
        upstreamClient.connect({ host: upstream.host, port: upstream.port, username: upstream.username, privateKey: upstream.privateKey });
        const drop = () => {
            fired = true;
            fault = undefined;
            client.end();
            upstreamClient.end();
        };
        client.on("close", () => {
            clients.delete(client);
            upstreamClient.end();
        });
        client.on("error", () => undefined);
        upstreamClient.on("error", () => undefined);
        client.on("authentication", (ctx) => {
            if (ctx.method === "password" && ctx.password === password) return ctx.accept();
            ctx.reject(["password"]);
        });
        client.on("ready", () => {
            client.on("session", (acceptSession) => {
                const session = acceptSession();
                session.on("exec", (acceptExec, _reject, info) => {
                    const index = execs++;
                    const channel = acceptExec();
                    const armed = fault;
                    if (armed && "command" in armed && armed.command.test(info.command)) {
                        fired = true;
                        fault = undefined;
                        channel.stderr.write(armed.stderr);
                        channel.exit(armed.code);
                        channel.end();
                        return;
                    }
                    const hit = armed && "exec" in armed && armed.exec === index ? armed.when : undefined;
                    if (hit === "before") return drop();
                    commands.push(info.command);
                    // The client may send its input and EOF before the host's channel exists: keep them until then.
                    const input: Buffer[] = [];
                    let inputEnded = false;
                    let host: ClientChannel | undefined;
                    channel.on("data", (d: Buffer) => (host ? host.write(d) : input.push(d)));
                    channel.on("end", () => (host ? host.end() : (inputEnded = true)));
                    void ready.then(() =>
                        upstreamClient.exec(info.command, (err, up: ClientChannel) => {
                            if (err) {
                                channel.stderr.write(`${err.message}\n`);
                                channel.exit(255);
                                channel.end();
                                return;
                            }
                            host = up;
                            for (const d of input) up.write(d);
                            if (inputEnded) up.end();
                            let code = 255;
                            const out: Buffer[] = [];
                            const errOut: Buffer[] = [];
                            up.on("data", (d: Buffer) => out.push(d));
                            up.stderr.on("data", (d: Buffer) => errOut.push(d));
                            up.on("exit", (c: number | null) => (code = c ?? 255));
                            up.on("close", () => {
                                if (hit === "after") return drop();
                                channel.write(Buffer.concat(out));
                                channel.stderr.write(Buffer.concat(errOut));
                                channel.exit(code);
                                channel.end();
                            });
                        }),
                    );
                });
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    return {
        port,
        hostKey: fingerprintOf(keys.public),
        password,
        commands,
        setFault: (f) => {
            fault = f;
            fired = false;
        },
        fired: () => fired,
        close: async () => {
            for (const c of clients) c.end();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
