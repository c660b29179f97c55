/**
 * Ansible's side of the benchmark: `cisco.ios.ios_config` (Debian's ansible, collection cisco.ios)
 * pushing a file of IOS lines (`src:`) over network_cli with `become_method: enable` and
 * `save_when: modified`, the way many network engineers configure IOS today. One play per step.
 *
 * The login password and enable secret are in the inventory (0600, in a 0700 folder), never in a
 * process argument. The router's host key is checked against a known_hosts file of this run.
 */
import * as fs from "fs";
import * as path from "path";
import { RouterAccess } from "./device";
import { runCommand, CommandRun } from "./process";

const PLAYBOOK = `# Written by bench/ansible.ts: push the lines of a file to the router and save when something changed.
- hosts: routers
  gather_facts: false
  tasks:
    - name: configure from {{ src }}
      cisco.ios.ios_config:
        src: "{{ src }}"
        save_when: modified
`;

export interface AnsibleRun extends CommandRun {
    /** `changed=` of the play recap: 1 when the router's configuration was (or, in check mode, would be) changed. */
    changed?: number;
}

export class AnsibleRouter {
    private readonly env: NodeJS.ProcessEnv;

    /** Prepares `dir` (0700): inventory, playbook, known_hosts, Ansible's own temp folders. */
    constructor(
        private readonly dir: string,
        access: RouterAccess,
    ) {
        fs.mkdirSync(path.join(dir, ".ssh"), { recursive: true, mode: 0o700 });
        fs.mkdirSync(path.join(dir, "tmp"), { recursive: true, mode: 0o700 });
        const hostPattern = access.port === 22 ? access.host : `[${access.host}]:${access.port}`;
        fs.writeFileSync(path.join(dir, ".ssh", "known_hosts"), `${hostPattern} ${access.hostPublicKey}\n`, { mode: 0o600 });
        const inventory = {
            routers: {
                hosts: {
                    router: {
                        ansible_host: access.host,
                        ansible_port: access.port,
                        ansible_user: access.username,
                        ansible_password: access.password,
                        ansible_connection: "ansible.netcommon.network_cli",
                        ansible_network_os: "cisco.ios.ios",
                        ansible_become: true,
                        ansible_become_method: "enable",
                        ansible_become_password: access.enableSecret,
                        ansible_python_interpreter: "/usr/bin/python3",
                    },
                },
            },
        };
        // JSON is YAML; Ansible reads an inventory file ending in .yml as YAML.
        fs.writeFileSync(path.join(dir, "inventory.yml"), JSON.stringify(inventory, null, 2), { mode: 0o600 });
        fs.writeFileSync(path.join(dir, "push.yml"), PLAYBOOK, { mode: 0o600 });
        this.env = {
            ...process.env,
            // Debian's ansible and python3 first (a python3 of another installation lacks its modules).
            PATH: `/usr/bin:${process.env.PATH ?? ""}`,
            HOME: dir,
            ANSIBLE_HOST_KEY_CHECKING: "True",
            ANSIBLE_PARAMIKO_LOOK_FOR_KEYS: "False",
            ANSIBLE_LOCAL_TEMP: path.join(dir, "tmp"),
            ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: path.join(dir, "pc"),
            // A large configuration takes long to print and to save, the more so with the cost model.
            ANSIBLE_PERSISTENT_COMMAND_TIMEOUT: "900",
            ANSIBLE_PERSISTENT_CONNECT_TIMEOUT: "900",
            ANSIBLE_NOCOLOR: "1",
            ANSIBLE_RETRY_FILES_ENABLED: "False",
            ANSIBLE_STDOUT_CALLBACK: "default",
        };
    }

    /** One play with `src` (a file of IOS lines); with `check`, `--check --diff` (nothing is sent). */
    async play(src: string, opts: { check?: boolean; limitMs: number; log: string }): Promise<AnsibleRun> {
        const args = ["-i", path.join(this.dir, "inventory.yml"), path.join(this.dir, "push.yml"), "-e", `src=${src}`];
        if (opts.check) args.push("--check", "--diff");
        const run = await runCommand("ansible-playbook", args, { cwd: this.dir, env: this.env, limitMs: opts.limitMs, log: opts.log });
        const recap = /\brouter\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(run.output);
        return { ...run, changed: recap ? Number(recap[1]) : undefined };
    }
}
