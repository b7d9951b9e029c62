// expect: crash
// message: SIGSEGV
// "mov eax, 57 (fork); syscall; ret" in a constant array, called: constant data is
// read-only and never executable, so this faults before any system call.
static const unsigned char code[16] = {0xb8, 57, 0, 0, 0, 0x0f, 0x05, 0xc3};
double compute_reward(const env_state *s, reward_terms *t) {
    long (*f)(void) = (long (*)(void))(const void *)code;
    return term(t, "x", (double)f() + s->cart_pos);
}
