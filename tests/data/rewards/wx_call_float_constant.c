// expect: crash
// message: SIGSEGV
// Floating constants are emitted as data next to the code; the bits of this one start
// with 0xc3 ("ret") in memory. Reached through a pointer to a const double.
static const double bits = -6.4e-309;
double compute_reward(const env_state *s, reward_terms *t) {
    const unsigned char *p = (const unsigned char *)&bits;
    double (*f)(void) = (double (*)(void))(const void *)p;
    return term(t, "x", f() + s->cart_pos);
}
