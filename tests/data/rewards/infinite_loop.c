// expect: timeout
// message: ran longer than the 3 s time limit
double compute_reward(const env_state *s, reward_terms *t) {
    double x = s->cart_pos;
    for (;;) x = x * 0.5 + 1.0;
    return term(t, "x", x);
}
