// expect: crash
// message: SIGSEGV
double compute_reward(const env_state *s, reward_terms *t) {
    double (*f)(double) = (double (*)(double))0x1000;
    return term(t, "x", f(s->cart_pos));
}
