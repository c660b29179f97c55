/**
 * The environment for the Pulumi CLI in the e2e tests: the caller's, without any PULUMI_* variable
 * (an access token, a backend, a passphrase or a home of the machine must not change a result),
 * plus what the test sets: its own PULUMI_HOME, backend and passphrase.
 */
export function pulumiEnv(own: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
        // PULUMI_CLI_CACHE is scripts/pulumi-cli.sh's, not the CLI's: where the built CLI is cached.
        if (!name.startsWith("PULUMI_") || name === "PULUMI_CLI_CACHE") env[name] = value;
    }
    return { ...env, ...own };
}
