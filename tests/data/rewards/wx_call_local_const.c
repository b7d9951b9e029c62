// expect: crash
// message: SIGSEGV
// A static const table inside the function (in .data, like every constant of the
// image), called as code.
double compute_reward(const env_state *s, reward_terms *t) {
    static const unsigned long long code[2] = {0xc3c3c3c3c3c3c3c3ULL, 0};
    double (*f)(void) = (double (*)(void))(const void *)code;
    return term(t, "x", f() + s->cart_pos);
}
