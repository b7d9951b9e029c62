// reorient_muscle, expert reward: reorient's (the form of IsaacGymEnvs' ShadowHand cube
// reward: inverse rotation distance, bonus inside the success angle) with MyoSuite's effort
// term in place of the action penalty: minus the mean squared muscle activation, small next
// to the rotation terms. No term for keeping the fingertips on the cube.
double compute_reward(const env_state *s, reward_terms *t) {
    double rot_dist = quat_angle(s->cube_quat, s->goal_quat);
    double act_sq = 0.0;
    for (int k = 0; k < N_MUSCLES; k++) act_sq += square(s->activation[k]);
    double r = 0.0;
    r += term(t, "rot_reward", 1.0 / (rot_dist + 0.1));
    r += term(t, "effort_penalty", -0.1 * act_sq / N_MUSCLES);
    r += term(t, "success_bonus", rot_dist < SUCCESS_ANGLE ? 2.5 : 0.0);
    return r;
}
