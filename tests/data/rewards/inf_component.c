// expect: nonfinite_reward
// message: reward component 'inv_dist' is +Inf
double compute_reward(const env_state *s, reward_terms *t) {
    double d = s->cart_pos - s->cart_pos;
    return term(t, "inv_dist", 1.0 / d);
}
