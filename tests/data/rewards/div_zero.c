// expect: arithmetic_error
// message: integer division by zero
double compute_reward(const env_state *s, reward_terms *t) {
    int zero = s->step - s->step;
    int ratio = 1000 / zero;
    return term(t, "ratio", (double)ratio);
}
