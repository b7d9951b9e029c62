// expect: compile_error
// message: reward.c:5:
double compute_reward(const env_state *s, reward_terms *t) {
    double x = s->cart_pos
    return term(t, "x", x);
}
