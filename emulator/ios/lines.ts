/**
 * Terminal lines: each CLI session (an SSH shell or exec channel) occupies a vty, as on IOS, and
 * is known to the rest of the router by it: who holds the configuration lock, who started a
 * revert timer, whose session is idle. IOS numbers the console line 0 and the aux line 1, so
 * `vty 0` is tty 2 (`show users`).
 */

export interface Line {
    /** tty number (2 for vty 0). */
    readonly tty: number;
    /** `vty0`, as IOS names the line in its log messages. */
    readonly name: string;
    /** The process that serves the line, as `show configuration lock` prints it ("Owner PID"). */
    readonly pid: number;
    readonly username: string;
    /** The SSH client's address. */
    readonly remote?: string;
    /** Last command line received (ms since the epoch): idle revert timers and the lock's expiry count from it. */
    lastActivity: number;
    /** Whether the line's session has ended (its SSH channel or connection is gone). */
    closed: boolean;
    /** Prints a message on the line's terminal, outside the command/answer flow (IOS's asynchronous messages). */
    notify(text: string): void;
}

const FIRST_VTY_TTY = 2;
const FIRST_PID = 500;

export class LineTable {
    private readonly busy = new Map<number, Line>();
    private nextPid = FIRST_PID;

    /** Takes the lowest free vty. */
    open(username: string, remote: string | undefined, notify: (text: string) => void): Line {
        let vty = 0;
        while (this.busy.has(vty)) vty++;
        const line: Line = {
            tty: FIRST_VTY_TTY + vty,
            name: `vty${vty}`,
            pid: this.nextPid++,
            username,
            remote,
            lastActivity: Date.now(),
            closed: false,
            notify,
        };
        this.busy.set(vty, line);
        return line;
    }

    close(line: Line): void {
        line.closed = true;
        const vty = line.tty - FIRST_VTY_TTY;
        if (this.busy.get(vty) === line) this.busy.delete(vty);
    }
}
