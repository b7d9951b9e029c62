// expect: nonfinite_reward
// message: 'logd' is -Inf
double compute_reward(const env_state *s, reward_terms *t) {
    return term(t, "logd", log(fabs(s->cart_pos - s->cart_pos)));
}
