// expect: crash
// message: SIGSEGV
double compute_reward(const env_state *s, reward_terms *t) {
    volatile int *p = 0;
    *p = 1;
    return term(t, "x", s->cart_pos);
}
