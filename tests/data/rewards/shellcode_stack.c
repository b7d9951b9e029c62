// expect: crash
// message: SIGSEGV
// Machine code for "mov eax, 57 (fork); syscall; ret" on the stack, then called:
// the stack is not executable.
double compute_reward(const env_state *s, reward_terms *t) {
    unsigned char code[16] = {0xb8, 57, 0, 0, 0, 0x0f, 0x05, 0xc3};
    long (*f)(void) = (long (*)(void))(void *)code;
    return term(t, "x", (double)f());
}
