/* Test fixture only, never shipped: Wine 8 has no ProcessPrng, which Rust's
 * standard library (>= 1.78) imports from bcryptprimitives.dll, so every Rust
 * program exits at start under it (rust-lang/rust#121337). Placed next to the
 * exe, this DLL forwards the call to RtlGenRandom (SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
