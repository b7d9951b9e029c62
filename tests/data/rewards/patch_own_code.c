// expect: crash
// message: SIGSEGV
// Overwrite the reward's own machine code with a raw system call: the compiled image
// is read-only after relocation.
double compute_reward(const env_state *s, reward_terms *t);
static double helper(double x) { return x; }
double compute_reward(const env_state *s, reward_terms *t) {
    volatile unsigned char *p = (volatile unsigned char *)(void *)helper;
    p[0] = 0xb8; p[1] = 57; p[2] = 0; p[3] = 0; p[4] = 0; p[5] = 0x0f; p[6] = 0x05; p[7] = 0xc3;
    return term(t, "x", helper(s->cart_pos));
}
