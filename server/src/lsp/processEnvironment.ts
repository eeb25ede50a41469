/**
 * What whoever starts the language server adds to its environment: the VS Code
 * client (client/src/extension.ts) and the benchmark, which starts it as the
 * editor does. A process cannot set these for itself: the C library reads them
 * once, before any JavaScript runs.
 *
 * The first analysis is slowed by fresh memory: compiling the SQL parser's
 * WebAssembly piece by piece, glibc's malloc hands the compiler's freed working
 * memory back to the system and takes it again, one page fault per 4 KB page
 * (11–12 µs each on a virtual machine). Keeping up to 16 MB of freed memory,
 * growing the heap 16 MB at a time and asking for transparent huge pages on it
 * took a first start on langfuse from ~10,400 faults and a median of 439 ms to
 * ~6,200 faults and 386 ms, for 14 MB more peak memory (docs/performance.md,
 * sixth round). Other C libraries (musl, macOS, Windows) ignore the variable,
 * and glibc before 2.35 ignores the huge-page setting.
 */
const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=16777216:glibc.malloc.top_pad=16777216';

/** The variables to add to `inherited` for the server; tunables the user set already come after ours, so theirs win. */
export function serverProcessEnv(inherited: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const theirs = inherited.GLIBC_TUNABLES;
  return { GLIBC_TUNABLES: theirs ? `${MALLOC_TUNABLES}:${theirs}` : MALLOC_TUNABLES };
}
