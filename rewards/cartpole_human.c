// cartpole, expert reward: the form of IsaacGymEnvs' Cartpole reward (upright, small
// velocity penalties, -2 when the pole falls or the cart leaves the rail; here the -2 is
// added to the other terms rather than replacing them).
double compute_reward(const env_state *s, reward_terms *t) {
    int failed = fabs(s->cart_pos) > CART_LIMIT || fabs(s->pole_angle) > POLE_LIMIT;
    double r = 0.0;
    r += term(t, "upright", 1.0 - square(s->pole_angle));
    r += term(t, "cart_vel_penalty", -0.01 * fabs(s->cart_vel));
    r += term(t, "pole_vel_penalty", -0.005 * fabs(s->pole_angvel));
    r += term(t, "fall_penalty", failed ? -2.0 : 0.0);
    return r;
}
