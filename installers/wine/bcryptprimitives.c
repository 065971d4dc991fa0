/* bcryptprimitives.dll for Wine 8 (Debian 12's wine64), test-only.
 *
 * Rust's standard library (1.78+) draws its random numbers (HashMap keys, among others) from
 * ProcessPrng in bcryptprimitives.dll, which every Windows 10+ has but Wine only gained in
 * version 9. Without it a Rust .exe does not even load under Wine 8 (status c0000135).
 * installers/test-wine.sh builds this shim with mingw-w64 and puts it beside vanthu.exe only
 * when the Wine prefix has no bcryptprimitives.dll; the installer never ships it.
 * ProcessPrng is documented as never failing; RtlGenRandom (advapi32's SystemFunction036)
 * is Wine's system CSPRNG. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
