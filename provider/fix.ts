/** The one shape of every message that asks the user to change something: what is wrong, then how to fix it. */
export function withFix(problem: string, fix: string): string {
    return `${problem}. Fix: ${fix}`;
}
