// expect: crash
// message: stack overflow or invalid pointer
static double deep(double x, int n) {
    volatile double pad[64];
    pad[n & 63] = x;
    return deep(x + pad[(n + 1) & 63], n + 1) + 1.0;
}
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", deep(s->cart_pos, 0)); }
