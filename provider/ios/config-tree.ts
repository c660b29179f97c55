/**
 * Running-config text as a tree of lines by indentation, the shape IOS itself uses: a header line
 * (`crypto ikev2 keyring KR`) owns the more-indented lines below it (` peer vps`, `  address ...`).
 */

export interface ConfigNode {
    /** The line without its indentation and without trailing white space. */
    line: string;
    children: ConfigNode[];
}

/** Lines `show running-config` prints that are not configuration. */
const HEADER_NOISE = [/^Building configuration\.\.\.$/, /^Current configuration\s*:\s*\d+ bytes$/, /^Load for /, /^Time source is /];

/** `banner motd ^C` ... `^C`: free text whose lines must not be read as configuration. */
const BANNER = /^banner\s+\S+\s+(\^C|\S)/;

/**
 * Parses running-config text. Skips `!` comment lines, the `show running-config` header, `end`
 * and banner text; tolerates CRLF, tabs-free indentation of any width and trailing spaces.
 */
export function parseConfigTree(text: string): ConfigNode[] {
    const roots: ConfigNode[] = [];
    /** Open blocks with their indentation, innermost last. */
    const stack: { indent: number; node: ConfigNode }[] = [];
    const lines = text.split(/\r?\n|\r/);
    for (let i = 0; i < lines.length; i++) {
        const raw = lines[i].replace(/\s+$/, "");
        const line = raw.trimStart();
        const indent = raw.length - line.length;
        if (line === "" || line.startsWith("!")) continue;
        if (indent === 0 && (line === "end" || HEADER_NOISE.some((re) => re.test(line)))) continue;
        while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
        const node: ConfigNode = { line, children: [] };
        (stack.length > 0 ? stack[stack.length - 1].node.children : roots).push(node);
        stack.push({ indent, node });
        const banner = indent === 0 ? BANNER.exec(line) : null;
        if (banner) {
            // The banner text runs up to the next occurrence of its delimiter.
            const delimiter = banner[1];
            if (line.indexOf(delimiter, banner.index + banner[0].length) !== -1) continue;
            while (i + 1 < lines.length && !lines[i + 1].includes(delimiter)) i++;
            i++;
            stack.pop();
        }
    }
    return roots;
}

/** Renders nodes as IOS prints them: one space of indentation per level. */
export function renderConfigTree(nodes: ConfigNode[], depth = 0): string[] {
    const out: string[] = [];
    for (const node of nodes) {
        out.push(" ".repeat(depth) + node.line);
        out.push(...renderConfigTree(node.children, depth + 1));
    }
    return out;
}

/** A leaf or block node; the building block of every renderer. */
export function node(line: string, children: ConfigNode[] = []): ConfigNode {
    return { line, children };
}
