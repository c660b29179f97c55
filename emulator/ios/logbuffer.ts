/**
 * The router's logging buffer, printed by `show logging`: system messages (`%FACILITY-SEV-MNEMONIC:
 * text`) and, while `debug crypto ikev2` is on, debug lines, each stamped as
 * `service timestamps log datetime msec` stamps it (`*Mar  1 10:02:03.456: `). Messages are not
 * written to SSH sessions (that would need `terminal monitor`, which the emulator does not model).
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CAPACITY = 2000;

/** `*Mar  1 10:02:03.456: ` (UTC). */
export function logStamp(d = new Date()): string {
    return `*${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 23)}: `;
}

export class LogBuffer {
    private readonly entries: string[] = [];

    add(message: string): void {
        this.entries.push(logStamp() + message);
        if (this.entries.length > CAPACITY) this.entries.splice(0, this.entries.length - CAPACITY);
    }

    lines(): string[] {
        return [...this.entries];
    }

    /** What `show logging` prints. */
    show(): string {
        const lines = this.lines();
        return [
            "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)",
            "",
            "    Console logging: disabled",
            "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
            `    Buffer logging:  level debugging, ${lines.length} messages logged, xml disabled,`,
            "",
            `Log Buffer (${Math.max(4096, lines.join("\n").length)} bytes):`,
            "",
            ...lines,
        ].join("\n");
    }
}
