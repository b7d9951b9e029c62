// expect: ok
double compute_reward(const env_state *s, reward_terms *t) {
    double x = s->pole_angle;
    return term(t, "c00", x) + term(t, "c01", x) + term(t, "c02", x) + term(t, "c03", x) +
           term(t, "c04", x) + term(t, "c05", x) + term(t, "c06", x) + term(t, "c07", x) +
           term(t, "c08", x) + term(t, "c09", x) + term(t, "c10", x) + term(t, "c11", x) +
           term(t, "c12", x) + term(t, "c13", x) + term(t, "c14", x) + term(t, "c15", x);
}
