/** What the importer's tests share: a declaration read back as the resource's input. */
import { strict as assert } from "assert";
import { Declaration } from "../../provider/importer/model";
import { Code, Value } from "../../provider/importer/typescript";

/**
 * The declaration's arguments as the resource's input (without `device` and `adopt`): each
 * reference as the name of the object it stands for, each `cfg.requireSecret("K")` as `secret(K)`.
 */
export function declarationInput(d: Declaration, byVariable: Map<string, Declaration>, secret: (key: string) => string): Record<string, unknown> {
    const walk = (v: Value): unknown => {
        if (v instanceof Code) {
            const lookup = /^cfg\.requireSecret\("(.*)"\)$/.exec(v.text);
            if (lookup) return secret(lookup[1]);
            const target = byVariable.get(v.text);
            assert.ok(target, `${d.resourceName} refers to ${v.text}, which the program does not declare`);
            return target.args.name;
        }
        if (Array.isArray(v)) return v.map(walk);
        if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
    };
    return Object.fromEntries(Object.entries(d.args).map(([k, v]) => [k, walk(v)]));
}
