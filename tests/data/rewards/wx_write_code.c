// expect: crash
// message: SIGSEGV
// Writing into compute_reward's own code: the code is read + execute, never writable.
double compute_reward(const env_state *s, reward_terms *t) {
    volatile unsigned char *p = (volatile unsigned char *)(void *)compute_reward;
    p[64] = 0xc3;
    return term(t, "x", s->cart_pos);
}
