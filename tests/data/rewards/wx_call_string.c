// expect: crash
// message: SIGSEGV
// A string literal holding "ret" (0xc3), called as code: data is never executable.
double compute_reward(const env_state *s, reward_terms *t) {
    double (*f)(void) = (double (*)(void))(const void *)"\xc3";
    return term(t, "x", f() + s->cart_pos);
}
