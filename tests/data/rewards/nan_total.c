// expect: nonfinite_reward
// message: total reward
double compute_reward(const env_state *s, reward_terms *t) {
    term(t, "fine", 1.0);
    return sqrt(-1.0 - fabs(s->cart_pos));
}
